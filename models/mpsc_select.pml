/*
 * Receiver.Ready and SlotReceiver.Ready (mpsc/select.go): the select
 * loop's arming, its stale token and stale registration, and a channel's
 * receive that waits in between, withdrawing Ready's waker and waiting on
 * the channel's wait word instead. A Slot's Recv waits on its sink
 * (WakeSink.Wait, which unregisters a waker given to Register before it
 * registers itself): wake_sink.pml checks that with -DFOREIGN.
 *
 * The DiatomicWaker is abstracted to its linearized behaviour, which
 * diatomic_waker.pml checks step for step: Register replaces the waker and
 * sets REGISTERED in one step; a Notify tests and clears REGISTERED and
 * copies the waker in one step, and calls its Wake in a later one (after
 * the lock is released), so a Wake of a waker that the receiver has since
 * replaced is modelled. The queue is abstracted to its claim counter: a
 * send's claim makes Len non-zero at once (a value between claim and write
 * is waited out by TryRecv, left out here); the slot's CAS is the same step.
 *
 * SENDERS senders each send VALUES values, as channel.send does: a send
 * that sees the wait word PARKED and takes it (CAS to IDLE) hands its value
 * on hand if nothing is claimed, and otherwise claims and sends a token;
 * any other send claims, then Notifies the sink, then wakes (load the wait
 * word; if not IDLE, Swap it to IDLE and, if that took it, send a token).
 * The receiver loops as the package doc's select loop does: TryRecv; if
 * empty, either Ready and a select on its channel beside another case
 * (taken at any time, up to OTHERS times, after which the loop comes back
 * to TryRecv), or, up to RECVS times, a Recv that waits (Receiver.wait:
 * disarm, which unregisters sel; store LOOKING, look; if that finds a
 * value, CAS LOOKING -> IDLE and take the token if the CAS failed; else CAS
 * LOOKING -> PARKED and receive on hand, a token if the CAS failed, then
 * take a handed value or look again). It stops once it has received every
 * value, so a lost wake-up leaves it blocked for ever, and SPIN reports an
 * invalid end state. Each Recv checks that it leaves nothing registered on
 * the sink, the wait word IDLE and hand empty.
 *
 * Ready: look (Len or closed bit: ready at once, nothing registered); drain a
 * stale token from sel's channel; register sel; look again (then withdraw,
 * ready at once); else wait on the channel.
 * -DBROKEN_NO_LOOK: no look after the register.
 * -DBROKEN_DRAIN_LATE: the stale token drained after the second look.
 * -DBROKEN_NO_DISARM: a Recv that waits leaves Ready's waker registered.
 */
//@check: defines="" cc="-DSAFETY" run="-m100000"
//@check: defines="-DSENDERS=3 -DVALUES=1 -DOTHERS=2" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_NO_LOOK" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_DRAIN_LATE" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_NO_DISARM" cc="-DSAFETY" run="-m100000"

#ifndef SENDERS
#define SENDERS 2
#endif
#ifndef VALUES
#define VALUES 2
#endif
#ifndef OTHERS
#define OTHERS 1
#endif
#ifndef RECVS
#define RECVS 1
#endif

#define SEL 1    /* Ready's Parker, in channel mode */

#define IDLE 0   /* channel.waiting */
#define LOOKING 1
#define PARKED 2

byte claimed;                /* claimed positions not yet received */
bit registered;             /* DiatomicWaker: REGISTERED */
byte who;                   /* DiatomicWaker: the waker registered last */
chan selch = [1] of { bit }; /* sel's channel, capacity 1 */
byte waiting;               /* channel.waiting */
chan hand = [1] of { bit };  /* channel.hand: 1 a handed value, 0 a token */
byte received;

inline notify() {
	byte w = 0;
	atomic {
		if
		:: registered -> registered = 0; w = who
		:: else -> skip
		fi
	}
	/* Wake, after the lock is released */
	if
	:: w == SEL ->
		atomic {
			if
			:: nfull(selch) -> selch!1
			:: full(selch) -> skip /* non-blocking: a token is there already */
			fi
		}
	:: else -> skip
	fi
}

/* channel.wake's second half: take an announced wait, send a token */
inline wake() {
	if
	:: waiting != IDLE ->
		atomic { ws = waiting; waiting = IDLE };
		if
		:: ws != IDLE -> assert(empty(hand)); hand!0
		:: else -> skip
		fi
	:: else -> skip
	fi;
	ws = 0
}

proctype Sender() {
	byte i, ws;
	bit took;
	for (i : 1 .. VALUES) {
		if
		:: waiting == PARKED ->
			atomic { if :: waiting == PARKED -> waiting = IDLE; took = 1 :: else -> skip fi }
		:: else -> skip
		fi;
		if
		:: took ->
			if
			:: claimed == 0 -> assert(empty(hand)); hand!1 /* handed */
			:: else -> claimed++; assert(empty(hand)); hand!0
			fi
		:: else ->
			claimed++; /* the claim */
			notify();
			wake()
		fi;
		took = 0
	}
}

inline drain() {
	atomic {
		if
		:: nempty(selch) -> selch?_
		:: empty(selch) -> skip
		fi
	}
}

active proctype Receiver() {
	byte others = 0, recvs = 0;
	bit armed, taken, h;
	do
	:: received == SENDERS * VALUES -> break
	:: else ->
		if
		:: claimed > 0 -> claimed--; received++ /* TryRecv takes a value */
		:: else ->
			if
			:: recvs < RECVS ->
				/* a Recv that waits: Receiver.wait */
				recvs++;
#ifndef BROKEN_NO_DISARM
				/* disarm: Unregister the waker Ready registered (a
				 * Notify may have taken it) */
				registered = 0;
#endif
				do
				:: waiting = LOOKING;
					if
					:: claimed > 0 ->
						atomic { if :: waiting == LOOKING -> waiting = IDLE; taken = 0 :: else -> taken = 1 fi };
						if
						:: taken -> hand?h; assert(!h) /* a token */
						:: else -> skip
						fi;
						claimed--; received++;
						break
					:: else -> skip
					fi;
					atomic { if :: waiting == LOOKING -> waiting = PARKED; taken = 0 :: else -> taken = 1 fi };
					hand?h; /* the token of the take, or the parked wait's handoff */
					assert(!taken || !h);
					if
					:: h -> received++; h = 0; break
					:: else -> skip
					fi;
					if
					:: claimed > 0 -> claimed--; received++; break
					:: else -> skip
					fi
				od;
				taken = 0;
				assert(!registered && waiting == IDLE && empty(hand))
			:: true ->
				/* Ready */
				armed = 0;
				if
				:: claimed > 0 -> skip /* ready at once */
				:: else ->
#ifndef BROKEN_DRAIN_LATE
					drain();
#endif
					atomic { registered = 1; who = SEL };
#ifdef BROKEN_NO_LOOK
					armed = 1;
#else
					if
					:: claimed > 0 -> registered = 0 /* ready at once */
					:: else -> armed = 1
					fi;
#endif
#ifdef BROKEN_DRAIN_LATE
					drain();
#endif
				fi;
				/* the select */
				if
				:: armed ->
					if
					:: selch?_ -> skip
					:: others < OTHERS -> others++ /* another case */
					fi
				:: else -> skip
				fi
			fi
		fi
	od;
	assert(claimed == 0)
}

init {
	byte i;
	atomic {
		for (i : 1 .. SENDERS) {
			run Sender()
		}
	}
}
