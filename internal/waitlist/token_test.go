package waitlist

import (
	"context"
	"testing"
	"testing/synctest"
)

func newTestToken() *Token {
	var c Cache
	return &c.GetLocked().Token
}

// TestTokenCoalesces: Wakes made while nobody takes the token leave one
// token, which one TryPark takes; a Wake never blocks.
func TestTokenCoalesces(t *testing.T) {
	tok := newTestToken()
	if tok.TryPark() {
		t.Fatal("TryPark took a token from a new record")
	}
	for range 3 {
		tok.Wake() // would block on the second send if it were not a select
	}
	if !tok.TryPark() {
		t.Fatal("TryPark found no token after Wake")
	}
	if tok.TryPark() {
		t.Fatal("three Wakes left more than one token")
	}
}

// TestTokenParkBlocksUntilWake: a Park that finds no token blocks until a
// Wake, with a ctx that never ends and with one that can, and takes the
// token.
func TestTokenParkBlocksUntilWake(t *testing.T) {
	for _, name := range []string{"Background", "WithCancel"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tok := newTestToken()
				ctx := context.Background()
				if name == "WithCancel" {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					defer cancel()
				}
				done := make(chan error, 1)
				go func() { done <- tok.Park(ctx) }()
				synctest.Wait()
				select {
				case err := <-done:
					t.Fatalf("Park returned %v with no token stored", err)
				default:
				}
				tok.Wake()
				if err := <-done; err != nil {
					t.Fatalf("Park = %v after Wake, want nil", err)
				}
				if tok.TryPark() {
					t.Fatal("the token is still stored after Park took it")
				}
			})
		})
	}
}

// TestTokenParkCancelled: a Park whose ctx ends while it waits returns
// ctx.Err() and takes no token; one whose token is stored returns nil even
// if ctx is done, and takes it.
func TestTokenParkCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tok := newTestToken()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tok.Park(ctx) }()
		synctest.Wait() // blocked in Park
		cancel()
		if err := <-done; err != context.Canceled {
			t.Fatalf("Park = %v, want %v", err, context.Canceled)
		}
		tok.Wake()
		if err := tok.Park(ctx); err != nil {
			t.Fatalf("Park with a stored token and ctx done = %v, want nil", err)
		}
		if tok.TryPark() {
			t.Fatal("the token is still stored after Park took it")
		}
	})
}
