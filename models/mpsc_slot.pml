/*
 * mpsc Slot: the value word and the closing flag of mpsc/slot.go, step for
 * step, with the receiver's WakeSink.
 *
 * Two senders each make one TrySend (sender i sends the value i); a
 * SlotSender.Close and, with -DRCLOSE, a SlotReceiver.Close race with them
 * and with the receiver. The receiver makes Recv after Recv until one
 * reports ErrClosed, then, once the senders are done, a last TryRecv. Every
 * sync/atomic operation is one atomic block. With -DOVERLAP a TryRecv on
 * another goroutine overlaps the receiver's receives, as the API allows. The sink is the Wait of
 * waker/wake_sink.go (look, register, look, park, look after the wake-up);
 * its waker is a registration bit that a wake consumes, and the parker a
 * token bit (wake_sink.pml and parker.pml check those).
 *
 * Checked:
 *   - every value whose TrySend returned nil is received exactly once, and
 *     before ErrClosed; a value is received only if its TrySend returned
 *     nil (Receiver.Close does not drop a waiting value);
 *   - a TrySend that started after a Close returned reports ErrClosed;
 *   - no receive after ErrClosed returns a value;
 *   - ErrFull only when the word held a value;
 *   - no lost wake-up: every run ends (a Recv parked forever while a value
 *     or the close is there is an invalid end state).
 */

//@check: cc="-DSAFETY" run="-m100000"
//@check: defines="-DRCLOSE" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_NOFLAG" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_NORECLOSE" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_SENTINEL_FULL" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_EMPTY_CLOSED" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_WAKE_FIRST" cc="-DSAFETY" run="-m100000"
//@check: defines="-DOVERLAP" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DOVERLAP -DBROKEN_RECLOSE_NOWAKE" cc="-DSAFETY" run="-m100000"

#ifdef OVERLAP
#define TAKERS 1
#else
#define TAKERS 0
#endif

#define EMPTY  0
#define CLOSED 255 /* closedWord */

#define R_OK     0
#define R_EMPTY  1
#define R_CLOSED 2
#define R_FULL   3

byte val = EMPTY;
bool closing = false;

bit reg = 0;   /* the sink's parker is registered */
bit token = 0; /* the parker's token */

byte closesReturned = 0;
byte sendersDone = 0;
byte takersDone = 0;
bool sent[3];     /* TrySend(i) returned nil */
byte received[3]; /* how many times value i was received */
bool gotClosed = false;

/* WakeSource.Wake: consumes the registration, leaves the token. */
inline wake() {
	atomic {
		if
		:: reg -> reg = 0; token = 1
		:: else -> skip
		fi
	}
}

/* slot.close: store closing; CAS 0 -> closedWord; wake. */
inline close() {
#ifdef BROKEN_WAKE_FIRST
	closing = true;
	wake();
	atomic { if :: val == EMPTY -> val = CLOSED :: else -> skip fi }
#else
	closing = true;
	atomic { if :: val == EMPTY -> val = CLOSED :: else -> skip fi }
	wake();
#endif
	closesReturned++
}

proctype Sender(byte v) {
	bool after;
	bool ok;
	byte w;
	byte res;
	after = (closesReturned > 0); /* started after a Close returned */
#ifndef BROKEN_NOFLAG
	if
	:: closing -> res = R_CLOSED; goto done
	:: else -> skip
	fi;
#endif
retry:
	atomic {
		if
		:: val == EMPTY -> val = v; ok = true; sent[v] = true /* ghost: it will return nil */
		:: else -> ok = false
		fi
	}
	if
	:: ok ->
		wake();
		res = R_OK
	:: else ->
		w = val;
		if
		:: w == EMPTY -> goto retry
#ifdef BROKEN_SENTINEL_FULL
		:: else -> res = R_FULL
#else
		:: w == CLOSED -> res = R_CLOSED
		:: else -> res = R_FULL
#endif
		fi
	fi;
done:
	assert(!after || res == R_CLOSED);
	assert(res != R_FULL || w == 1 || w == 2); /* ErrFull: a value was there */
	sendersDone++
}

proctype Closer() {
	close()
}

/* TryRecv: load; 0 -> ErrEmpty; closedWord -> ErrClosed; else CAS w -> 0
 * and, if closing, CAS 0 -> closedWord and wake. */
inline take(res, got) {
	do
	:: w = val;
		if
		:: w == EMPTY ->
#ifdef BROKEN_EMPTY_CLOSED
			if
			:: closing -> res = R_CLOSED
			:: else -> res = R_EMPTY
			fi;
#else
			res = R_EMPTY;
#endif
			break
		:: w == CLOSED -> res = R_CLOSED; break
		:: else ->
			atomic {
				if
				:: val == w -> val = EMPTY; ok = true
				:: else -> ok = false
				fi
			}
			if
			:: ok ->
#ifndef BROKEN_NORECLOSE
				if
				:: closing ->
					atomic {
						if
						:: val == EMPTY -> val = CLOSED; ok = true
						:: else -> ok = false
						fi
					}
					if
#ifndef BROKEN_RECLOSE_NOWAKE
					:: ok -> wake()
#endif
					:: else -> skip
					fi
				:: else -> skip
				fi;
#endif
				got = w; res = R_OK; break
			:: else -> skip /* an overlapping take won: look again */
			fi
		fi
	od
}

/* A receive's result: counted, and none after ErrClosed. */
inline deliver(res, got) {
	if
	:: res == R_OK ->
		assert(!gotClosed);
		assert(sent[got]);
		received[got]++
	:: res == R_CLOSED -> gotClosed = true
	:: else -> skip
	fi
}

proctype Receiver() {
	byte w;
	bool ok;
	byte res;
	byte got;
	do
	:: gotClosed -> break
	:: else ->
		/* Recv: TryRecv, then the sink's Wait. */
		take(res, got);
		if
		:: res == R_EMPTY ->
			do
			:: reg = 1;
				take(res, got);
				if
				:: res != R_EMPTY -> reg = 0; break /* withdraw */
				:: else -> skip
				fi;
				atomic { token == 1 -> token = 0 } /* park */
				take(res, got);
				if
				:: res != R_EMPTY -> reg = 0; break
				:: else -> skip
				fi
			od
		:: else -> skip
		fi;
		deliver(res, got)
	od;
	/* A last TryRecv once every sender is done: still ErrClosed. */
	sendersDone == 2 && takersDone == TAKERS;
	take(res, got);
	assert(res == R_CLOSED);
	assert(received[1] == sent[1] && received[2] == sent[2])
}

/* A TryRecv on another goroutine: its value counts like the receiver's. */
proctype Taker() {
	byte w;
	bool ok;
	byte res;
	byte got;
	take(res, got);
	if
	:: res == R_OK -> assert(sent[got]); received[got]++
	:: else -> skip
	fi;
	takersDone++
}

init {
	atomic {
		run Sender(1);
		run Sender(2);
		run Closer();
#ifdef RCLOSE
		run Closer();
#endif
#ifdef OVERLAP
		run Taker();
#endif
		run Receiver()
	}
}
