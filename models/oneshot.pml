/*
 * oneshot: the state word of oneshot/oneshot.go, step for step.
 *
 * One sender (Send or Close) and one receiver (Recv, possibly cancelled and
 * retried; TryRecv; Close) run against one channel. The receiver's parker is
 * a single reused object, as it is with the parker pool: its token is a bit,
 * Wake sets it, Park takes it. Each sync/atomic operation is one atomic
 * block; the plain writes of the value slot are separate steps.
 *
 * Checked:
 *   - the value slot is never read while it is being written, and the value
 *     read is the value sent;
 *   - the value is received at most once, and exactly once when Send
 *     succeeded and the receiver did not hang up;
 *   - no lost wake-up: every run ends (a receiver parked forever is an
 *     invalid end state);
 *   - the parker goes back to the pool clean: no token in it, and no wake
 *     arrives after it went back.
 */

//@check: cc="-DSAFETY" run="-m100000"
//@check: defines="-DCANCELS=2" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_REGISTER" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_CANCEL" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_PUBLISH" cc="-DSAFETY" run="-m100000"

#ifndef CANCELS
#define CANCELS 1
#endif

#define RX_WAITING 1
#define VALUE_SENT 2
#define TX_CLOSED  4
#define RX_CLOSED  8
#define TX_DONE    6

byte state = 0;
byte value = 0;          /* the slot: 0 empty, 1 the sent value */
bool writing = false;    /* the sender is in the middle of writing the slot */
bool taken = false;      /* receiver-private: it took the value */
byte received = 0;       /* how many times the value was received */
bool sendOK = false;     /* Send returned nil */
bool rxHungUp = false;   /* the receiver called Close */

bit token = 0;           /* the parker's token */
bool pooled = true;      /* the parker is back in the pool */

bool senderDone = false;
bool receiverDone = false;

inline wake() {
	assert(!pooled);     /* no wake after the parker went back */
	token = 1
}

proctype Sender() {
	byte st, prev;
	if
	:: /* Send */
		st = state;
		if
		:: (st & (TX_DONE | RX_CLOSED)) != 0 -> goto end
		:: else
		fi;
#ifdef BROKEN_PUBLISH
		/* publishes before the value is written */
		atomic { prev = state; state = state | VALUE_SENT };
		writing = true; value = 1; writing = false;
#else
		writing = true; value = 1; writing = false;
		atomic { prev = state; state = state | VALUE_SENT };
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
		atomic { prev = state; state = state | TX_CLOSED };
		if
		:: (prev & RX_WAITING) != 0 -> wake()
		:: else
		fi
	fi;
end:
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
		:: (st & (TX_DONE | RX_CLOSED)) != 0 -> gotResult = true   /* ErrClosed */
		:: else                                                     /* ErrEmpty */
		fi
	fi
}

proctype Receiver() {
	byte st, prev;
	byte cancels = 0;
	bool gotResult = false;
	bool casOK;
	if
	:: skip   /* Recv until it returns something other than ctx.Err() */
	:: /* TryRecv, then hang up */
		st = state;
		take(st);
		goto hangup
	:: goto hangup
	fi;
recv:
	/* Recv fast path, then recvSlow's first load */
	st = state;
	take(st);
	if
	:: gotResult -> goto finish
	:: else
	fi;
	st = state;
	take(st);
	if
	:: gotResult -> goto finish
	:: else
	fi;
	/* getParker */
	assert(token == 0);
	pooled = false;
#ifdef BROKEN_REGISTER
	/* a load and a store instead of one RMW */
	prev = state;
	state = prev | RX_WAITING;
#else
	atomic { prev = state; state = state | RX_WAITING };
#endif
	if
	:: (prev & TX_DONE) == 0 ->
		/* Park(ctx): the token, or ctx ends while there is none */
		if
		:: atomic { token == 1 -> token = 0 }
		:: atomic { cancels < CANCELS && token == 0 -> cancels++ };
#ifdef BROKEN_CANCEL
			/* withdraws blindly and never takes a committed wake */
			state = state & ~RX_WAITING;
			pooled = true;
			goto cancelled;
#else
			atomic {   /* CompareAndSwap(prev|rxWaiting, prev) */
				if
				:: state == (prev | RX_WAITING) -> state = prev; casOK = true
				:: else -> casOK = false
				fi
			};
			if
			:: casOK ->
				assert(token == 0);
				pooled = true;
				goto cancelled
			:: else ->
				/* the sender completed: take its committed wake */
				atomic { token == 1 -> token = 0 }
			fi
#endif
		fi
	:: else
	fi;
	/* the sender is done: clear rxWaiting with a load and a store */
	st = state & ~RX_WAITING;
	state = st;
	assert(token == 0);
	pooled = true;
	take(st);
	assert(gotResult);
	goto finish;
cancelled:
	/* Recv returned ctx.Err(): the caller tries again or hangs up */
	if
	:: goto recv
	:: goto hangup
	fi;
hangup:
	atomic { prev = state; state = state | RX_CLOSED };
	rxHungUp = true;
	if
	:: (prev & (VALUE_SENT | RX_CLOSED)) == VALUE_SENT && !taken -> value = 0
	:: else
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
	assert(token == 0 && pooled)
}
