/*
 * Receiver.Ready and SlotReceiver.Ready (mpsc/select.go): the select
 * loop's arming, its stale token and stale registration, and a receive
 * that waits in between and registers itself in place of Ready's waker.
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
 * SENDERS senders each send VALUES values: a claim, then Notify. The
 * receiver loops as the package doc's select loop does: TryRecv; if empty,
 * either Ready and a select on its channel beside another case (taken at
 * any time, up to OTHERS times, after which the loop comes back to
 * TryRecv), or, up to RECVS times, a Recv that waits (WakeSink.Wait:
 * unregister sel, register itself (outside the slots, OWN: here the same
 * registered / who pair, as OWN and REGISTERED are never set together),
 * look, receive the token of the Wake that took the registration from the
 * sink's channel (a token bit), look; on the way out while registered,
 * withdraw, and take the token if a Wake took the registration first, so
 * that none is left behind). It stops
 * once it has received every value, so a lost wake-up leaves it blocked in
 * the select for ever, and SPIN reports an invalid end state.
 *
 * Ready: look (Len or closed bit: ready at once, nothing registered); drain a
 * stale token from sel's channel; register sel; look again (then withdraw,
 * ready at once); else wait on the channel.
 * -DBROKEN_NO_LOOK: no look after the register.
 * -DBROKEN_DRAIN_LATE: the stale token drained after the second look.
 */
//@check: defines="" cc="-DSAFETY" run="-m100000"
//@check: defines="-DSENDERS=3 -DVALUES=1 -DOTHERS=2" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_NO_LOOK" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_DRAIN_LATE" cc="-DSAFETY" run="-m100000"

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
#define PARKER 2 /* a waiting receive, registered outside the slots (OWN) */

byte claimed;                /* claimed positions not yet received */
bit registered;             /* DiatomicWaker: REGISTERED */
byte who;                   /* DiatomicWaker: the waker registered last */
chan selch = [1] of { bit }; /* sel's channel, capacity 1 */
bit ptoken;                 /* a token in the sink's channel, capacity 1 */
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
	:: w == PARKER -> assert(ptoken == 0); ptoken = 1 /* the send never blocks */
	:: else -> skip
	fi
}

proctype Sender() {
	byte i;
	for (i : 1 .. VALUES) {
		claimed++; /* the claim */
		notify()
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
	bit armed, taken;
	do
	:: received == SENDERS * VALUES -> break
	:: else ->
		if
		:: claimed > 0 -> claimed--; received++ /* TryRecv takes a value */
		:: else ->
			if
			:: recvs < RECVS ->
				/* a Recv that waits: WakeSink.Wait */
				recvs++;
				/* Registered(), then Unregister: the waker Ready
				 * registered (a Notify may have taken it) */
				registered = 0;
				do
				:: atomic { registered = 1; who = PARKER }; /* Or(OWN) */
					if
					:: claimed > 0 ->
						/* withdraw: And(^OWN); a Wake that took the
						 * registration sends a token: take it */
						atomic { taken = !registered; registered = 0 };
						if
						:: taken -> ptoken == 1 -> ptoken = 0
						:: else -> skip
						fi;
						break
					:: else -> skip
					fi;
					ptoken == 1 -> ptoken = 0; /* receive the token */
					if
					:: claimed > 0 -> break
					:: else -> skip
					fi
				od;
				assert(ptoken == 0); /* no token outlives the wait */
				claimed--; received++
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
