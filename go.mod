module github.com/diatomic-go/diatomic

go 1.25

require (
	github.com/anishathalye/porcupine v1.3.1 // indirect
	github.com/puzpuzpuz/xsync/v4 v4.5.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
)
