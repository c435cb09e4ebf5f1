package bubble

import (
	"testing"
	"testing/synctest"
)

func TestInside(t *testing.T) {
	if Inside() {
		t.Fatal("Inside() = true outside any bubble")
	}
	synctest.Test(t, func(t *testing.T) {
		if !Inside() {
			t.Fatal("Inside() = false in a synctest bubble")
		}
		done := make(chan bool)
		go func() { done <- Inside() }()
		if !<-done {
			t.Fatal("Inside() = false in a goroutine started in a bubble")
		}
	})
}
