package waker

import "runtime"

func runtimeYield() { runtime.Gosched() }
