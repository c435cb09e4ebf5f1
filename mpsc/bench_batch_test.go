package mpsc_test

import "github.com/diatomic-go/diatomic/mpsc"

func tryRecvBatch(r *mpsc.Receiver[int], buf []int) (int, error) { return r.TryRecvBatch(buf) }
