package oneshot_test

import (
	"context"
	"fmt"
	"time"

	"github.com/diatomic-go/diatomic/oneshot"
)

// The snippet of oneshot in the README: a reply, sent by another goroutine.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tx, rx := oneshot.New[string]()
	go tx.Send("pong")
	reply, err := rx.Recv(ctx)
	fmt.Println(reply, err)
	// Output: pong <nil>
}

// The snippet of the package doc: a value computed by another goroutine.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	compute := func() int { return 6 * 7 }

	tx, rx := oneshot.New[int]()
	go func() { tx.Send(compute()) }()
	v, err := rx.Recv(ctx) // the value, ErrClosed, or ctx.Err()
	fmt.Println(v, err)
	// Output: 42 <nil>
}
