/*
 * oneshot: the state word of oneshot/oneshot.go, step for step.
 *
 * One sender (Send or Close, with or without Done first) and one receiver
 * run against one channel. The receiver makes ROUNDS waits, each one of:
 * TryRecv; a select on Ready that takes the Ready case or another one; a
 * Recv whose ctx may end; Register of one of two Wakers, then a wait for its
 * Wake or an Unregister. Then it hangs up, or it makes a Recv that cannot be
 * cancelled and must end.
 *
 * The receiver's waker.Parker is a token bit (Wake sets it; Park, or a
 * receive from its C, takes it): parker.pml checks the Parker itself. Each
 * sync/atomic operation is one atomic block; the plain writes of the value
 * slot and of the waiter field are separate steps.
 *
 * Checked:
 *   - the value slot is never read while it is being written, and the value
 *     read is the value sent;
 *   - the waiter field is never written while the sender, committed to
 *     waking the receiver, may read it;
 *   - the value is received at most once, and exactly once when Send
 *     succeeded and the receiver did not hang up; a value is received only
 *     if sent;
 *   - no lost wake-up: every run ends (a Recv parked forever is an invalid
 *     end state), and every wake-up (a Ready case taken, a Waker's Wake)
 *     finds the channel settled;
 *   - Done: its channel, once made, is closed exactly once if and only if
 *     the receiver hung up, and never before it was made.
 */

//@check: cc="-DSAFETY" run="-m200000"
//@check: defines="-DROUNDS=3" cc="-DSAFETY" run="-m400000"
//@broken: defines="-DBROKEN_REGISTER" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_PUBLISH" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_REPLACE" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_UNREGISTER" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_DONE" cc="-DSAFETY" run="-m200000"

#ifndef ROUNDS
#define ROUNDS 2
#endif

#define RX_WAITING 1
#define VALUE_SENT 2
#define TX_CLOSED  4
#define RX_CLOSED  8
#define TX_WAITING 16
#define TX_DONE    6
#define SETTLED    14

#define PARKER 0         /* waiter == nil: the receiver's parker */

byte state = 0;
byte value = 0;          /* the slot: 0 empty, 1 the sent value */
bool writing = false;    /* the sender is in the middle of writing the slot */
bool taken = false;      /* receiver-private: it took the value */
byte received = 0;       /* how many times the value was received */
bool sendOK = false;     /* Send returned nil */
bool rxHungUp = false;   /* the receiver called Close */

byte waiter = PARKER;    /* PARKER, or Waker 1 or 2 */
bool reading = false;    /* the sender committed to reading waiter and has not yet */
bit token = 0;           /* the parker's token */
byte wakes[3];           /* Wakes received by Waker 1 and 2 (index 0 unused) */

bool doneMade = false;   /* the sender made its Done channel */
bool doneClosed = false; /* it was closed */

bool senderDone = false;
bool receiverDone = false;

/* The sender's finishing RMW: Or(bit), noting in the same step whether it
 * committed to waking the receiver (and so to reading waiter). */
inline finishRMW(b, wakeMask) {
	atomic {
		prev = state;
		state = state | b;
		reading = ((prev & wakeMask) == RX_WAITING)
	}
}

/* wake: the sender reads waiter, then wakes it. */
inline wake() {
	w = waiter;
	reading = false;
	if
	:: w == PARKER -> token = 1
	:: else -> wakes[w]++
	fi
}

inline closeDone() {
	assert(doneMade);     /* written before it was published */
	assert(!doneClosed);  /* a second close panics */
	doneClosed = true
}

/* Sender.Done: the fast path's load, then doneSlow. */
inline done() {
	st = state;
	if
	:: (st & (TX_WAITING | RX_CLOSED)) == TX_WAITING
	:: else ->
		st = state;
		if
		:: (st & RX_CLOSED) != 0    /* closedChan */
		:: else ->
			doneMade = true;
			atomic { prev = state; state = state | TX_WAITING };
#ifdef BROKEN_DONE
			/* forgets the Close that came before it published done */
			skip
#else
			if
			:: (prev & RX_CLOSED) != 0 -> closeDone()
			:: else
			fi
#endif
		fi
	fi
}

proctype Sender() {
	byte st, prev, w;
	if
	:: done()
	:: skip
	fi;
	if
	:: /* Send */
		st = state;
		if
		:: (st & (TX_DONE | RX_CLOSED)) != 0 -> goto end
		:: else
		fi;
#ifdef BROKEN_PUBLISH
		/* publishes before the value is written */
		finishRMW(VALUE_SENT, RX_WAITING | RX_CLOSED);
		writing = true; value = 1; writing = false;
#else
		writing = true; value = 1; writing = false;
		finishRMW(VALUE_SENT, RX_WAITING | RX_CLOSED);
#endif
		if
		:: (prev & RX_CLOSED) != 0 -> value = 0
		:: else ->
			sendOK = true;
			if
			:: (prev & RX_WAITING) != 0 -> wake()
			:: else
			fi
		fi
	:: /* Close */
		st = state;
		if
		:: (st & TX_DONE) != 0 -> goto end
		:: else
		fi;
		finishRMW(TX_CLOSED, RX_WAITING);
		if
		:: (prev & RX_WAITING) != 0 -> wake()
		:: else
		fi
	fi;
end:
	/* Done may still be called after Send or Close */
	if
	:: done()
	:: skip
	fi;
	senderDone = true
}

/* take: what the receiver gets in state st (Go's switch: first match wins). */
inline take(st) {
	if
	:: (st & (VALUE_SENT | RX_CLOSED)) == VALUE_SENT && !taken ->
		assert(!writing);
		assert(value == 1);
		value = 0;
		taken = true;
		received++;
		gotResult = true
	:: else ->
		if
		:: (st & SETTLED) != 0 -> gotResult = true   /* ErrClosed */
		:: else                                       /* ErrEmpty */
		fi
	fi
}

inline setWaiter(x) {
	assert(!reading);
	waiter = x
}

/* arm: make the parker the published waiter; st is the last state read. */
inline arm() {
	st = state;
	if
	:: (st & SETTLED) != 0
	:: (st & SETTLED) == 0 && (st & RX_WAITING) != 0 && waiter == PARKER
	:: else ->
		if
		:: (st & RX_WAITING) != 0 ->
			atomic { st = state; state = state & ~RX_WAITING }
		:: else
		fi;
		if
		:: (st & TX_DONE) != 0
		:: else ->
			setWaiter(PARKER);
#ifdef BROKEN_REGISTER
			/* a load and a store instead of one RMW */
			st = state;
			state = st | RX_WAITING
#else
			atomic { st = state; state = state | RX_WAITING }
#endif
		fi
	fi
}

/* Register(x) */
inline register(x) {
	st = state;
	if
	:: (st & SETTLED) == 0 ->
#ifdef BROKEN_REPLACE
		/* replaces the waiter without withdrawing it first */
		skip;
#else
		if
		:: (st & RX_WAITING) != 0 ->
			atomic { st = state; state = state & ~RX_WAITING }
		:: else
		fi;
#endif
		if
		:: (st & TX_DONE) == 0 ->
			setWaiter(x);
			atomic { st = state; state = state | RX_WAITING }
		:: else
		fi
	:: else
	fi;
	if
	:: (st & SETTLED) != 0 -> wakes[x]++   /* at once */
	:: else
	fi
}

inline unregister() {
	if
	:: waiter != PARKER ->
		atomic { st = state; state = state & ~RX_WAITING };
#ifdef BROKEN_UNREGISTER
		/* drops the Waker even when the sender may be reading it */
		setWaiter(PARKER)
#else
		if
		:: (st & TX_DONE) == 0 -> setWaiter(PARKER)
		:: else
		fi
#endif
	:: else
	fi
}

proctype Receiver() {
	byte st, prev, x;
	byte rounds = 0;
	bool gotResult = false;

round:
	if
	:: rounds == ROUNDS -> goto last
	:: else -> rounds++
	fi;
	if
	:: /* TryRecv */
		st = state;
		take(st)
	:: /* select on Ready: readySlow's arm, then the Ready case or another */
		arm();
		if
		:: (st & SETTLED) != 0 ->   /* closedChan: ready at once */
			st = state;
			take(st);
			assert(gotResult)
		:: else ->
			if
			:: atomic { token == 1 -> token = 0 };
				st = state;
				take(st);
				assert(gotResult)   /* a wake-up finds the channel settled */
			:: skip                 /* the select took another case */
			fi
		fi
	:: /* Recv whose ctx may end */
		st = state;
		take(st);
		if
		:: !gotResult ->
			arm();
			if
			:: (st & SETTLED) == 0 ->
				if
				:: atomic { token == 1 -> token = 0 }
				:: skip ->          /* ctx ended: parker stays armed */
					st = state;
					if
					:: (st & SETTLED) == 0 -> goto next
					:: else
					fi
				fi
			:: else
			fi;
			st = state;
			take(st);
			assert(gotResult)
		:: else
		fi
	:: /* Register a Waker, then its Wake, or Unregister */
		if
		:: x = 1
		:: x = 2
		fi;
		register(x);
		if
		:: atomic { wakes[x] > 0 -> wakes[x]-- };
			st = state;
			take(st);
			assert(gotResult)
		:: unregister()
		:: skip                     /* left registered */
		fi
	fi;
next:
	if
	:: gotResult -> goto finish
	:: else -> goto round
	fi;
last:
	if
	:: /* hang up */
		atomic { prev = state; state = state | RX_CLOSED };
		rxHungUp = true;
		if
		:: (prev & (VALUE_SENT | RX_CLOSED)) == VALUE_SENT && !taken -> value = 0
		:: else
		fi;
		if
		:: (prev & (TX_WAITING | RX_CLOSED)) == TX_WAITING -> closeDone()
		:: else
		fi
	:: /* Recv that cannot be cancelled: it must end */
		st = state;
		take(st);
		if
		:: !gotResult ->
			arm();
			if
			:: (st & SETTLED) == 0 -> atomic { token == 1 -> token = 0 }
			:: else
			fi;
			st = state;
			take(st);
			assert(gotResult)
		:: else
		fi
	fi;
finish:
	receiverDone = true
}

init {
	atomic {
		run Sender();
		run Receiver()
	}
	(senderDone && receiverDone);
	assert(received <= 1);
	assert(!sendOK || rxHungUp || received == 1);
	assert(received == 0 || sendOK);
	assert(doneClosed == (doneMade && rxHungUp))
}
