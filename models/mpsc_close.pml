/*
 * Close, drain and wake of the bounded mpsc channel (mpsc/chan.go over
 * internal/mpscq/ring.go), step for step:
 *
 *   head     the producers' claim word: hidx (positions claimed) and hclosed
 *            (bit 63), always read and written together, as one word
 *   tailSeen producers' copy of tail, refreshed when it says "full"
 *   tail     positions released by the receiver
 *   seq, val the slots: seq[p % N] == p+1 once val holds position p
 *
 * Senders: Send = handle check, TryEnqueue (load head; room check against
 * tailSeen, then tail; CAS head; write val; store seq), and while Full the
 * slow path Prepare / handle check / TryEnqueue / Cancel or Commit on the
 * senders' EventCount, after the spin: yield and TryEnqueue again for as
 * long as tail moved since the last look, or until ctx ends (a
 * nondeterministic choice). Every try is channel.send: a send that loads
 * waiting == PARKED and takes it (CAS to IDLE) hands its value on hand if
 * Len is 0 (tail, then head) and the closed bit clear (head again), and
 * otherwise enqueues and sends a token; any other send enqueues and, after
 * OK, wakes (load waiting; if not IDLE, Swap to IDLE; if that took it, a
 * token). Sender.Close = CAS of the handle's flag, Add(-1) on the handle
 * count, and for the last handle the channel close (Or of the closed bit,
 * then wake and NotifyAll); for another handle NotifyAll.
 *
 * Receiver: Recv = Poll (load seq; read val; clear it; CAS tail; else,
 * once the closed flag that Close sets after the closed bit is up, load head
 * to tell Busy / Closed / Empty, and Empty before) and, unless OK or Closed,
 * Receiver.wait: park (store LOOKING, poll again; if that settles it, CAS
 * LOOKING -> IDLE and, if the CAS fails, receive the token; else CAS
 * LOOKING -> PARKED, or on failure receive the token, and block: receive on
 * hand, or, as when ctx ends (at most CANCELS times), withdraw with CAS
 * PARKED -> IDLE and, if that fails, receive the handoff; after a token,
 * poll and loop), then, after a cancelled park, one more park with exact
 * looks (TryDequeue: head read even before the closed flag, Empty settles)
 * that cannot be cancelled. A handed value is received as a polled one.
 * The yield before the first park (spin.Bet) is one more Poll, which the
 * loop's first Poll already covers, and is left out. After OK, NotifyOne,
 * unless the value was handed (it took no room).
 *
 * The EventCount is verified by its own model (eventcount.pml); here it
 * is the abstraction of its contract: a waiter count and an epoch (a
 * notify with waiters moves the epoch, and a Commit returns once the epoch
 * differs from its Prepare's). With one sender waiting at most, NotifyOne
 * and NotifyAll coincide. Ready and Register, the sink's registrants, are
 * in mpsc_select.pml.
 *
 * Processes: sender A sends 1 and 2 on handle 0 and closes it; sender B sends
 * 3 on handle 1 while the closer closes handle 1, so the last Close, whichever
 * it is, races with a send; capacity 1, so A's second send waits for room.
 * With -DRECV_CLOSE the receiver may also close the channel at any point.
 *
 * Checked: every value whose send returned OK is received exactly once and
 * none other (at the end, once all processes are done); A's two values
 * arrive in order (per-sender FIFO); a producer writes a slot only after
 * the receiver released its previous position; hand is empty whenever a
 * call that took the wait sends on it, and a wait that had not parked is
 * never handed a value; no process blocks for ever (SPIN's invalid end
 * states: a lost wake-up of the receiver or of a sender waiting for room).
 */
//@check: defines="-DRECV_CLOSE -DCANCELS=0" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DCAP=2 -DRECV_CLOSE -DCANCELS=0" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DCANCELS=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_SEPARATE_FLAG" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_BUSY_AS_EMPTY" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_CLOSE_NO_WAKE" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_NO_RECHECK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_SPIN_AS_RECHECK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_BATCHED_RECHECK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_FLAG_AFTER_NOTIFY -DRECV_CLOSE" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DCAP=2 -DBROKEN_HAND_NONEMPTY" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_HAND_LOOKING" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_RECV_NO_RECHECK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_ABSORB_SKIP" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_WITHDRAW_STORE -DCANCELS=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"

#ifndef CAP
#define CAP 1
#endif
#define N 2        /* slots: the power of two >= CAP */
#define NV 4       /* values 1..3 */

#define OK 0
#define FULL 1
#define EMPTY 2
#define BUSY 3
#define CLOSED 4
#define RETRY 5

#define IDLE 0     /* channel.waiting */
#define LOOKING 1
#define PARKED 2

#ifndef CANCELS
#define CANCELS 1  /* times the receiver's ctx may end while it is parked */
#endif

byte hidx; bit hclosed;  /* head */
bit cflag;  /* Ring.closed: set after head's closed bit, read by Poll */
byte tailSeen;
byte tail;
byte seq[N];
byte val[N];

byte waiting;                     /* channel.waiting */
chan hand = [1] of { byte, bit }; /* channel.hand: a value, handed */
byte ecCount; byte ecEpoch; /* the senders' EventCount */

bit handleClosed[2];
byte handles = 2;

bit sentOK[NV];
byte recvd[NV];
byte done;

/* channel.wake, after an enqueue or the closed bit: Load, Swap, token. */
inline wake() {
	if
	:: waiting != IDLE ->
		atomic { w = waiting; waiting = IDLE };
		if
		:: w != IDLE -> assert(empty(hand)); hand!0,0
		:: else -> skip
		fi
	:: else -> skip
	fi;
	w = 0
}

inline ecNotify() {
	atomic { if :: ecCount > 0 -> ecEpoch++ :: else -> skip fi }
}

/* Ring.Close, then channel.close's wakes if it closed. */
inline closeChan() {
	atomic { wasClosed = hclosed; hclosed = 1 };
#ifndef BROKEN_FLAG_AFTER_NOTIFY
	cflag = 1;  /* Ring.closed, for Poll */
#endif
	if
	:: !wasClosed ->
#ifndef BROKEN_CLOSE_NO_WAKE
		wake();
#endif
		ecNotify()
	:: else -> skip
	fi;
#ifdef BROKEN_FLAG_AFTER_NOTIFY
	cflag = 1;
#endif
	wasClosed = 0
}

/* Ring.TryEnqueue(v) -> st, or with batched Ring.TryEnqueueBatched(v): when
 * it has to read tail, it may also report FULL while there is room (less
 * than the batch it waits for; any room may be too little here). */
inline tryEnqueue(v, st, batched) {
	st = RETRY;
	do
	:: st != RETRY -> break
	:: else ->
		atomic { h = hidx; c = hclosed };
		if
		:: c -> st = CLOSED
		:: else ->
			room = 1;
			if
			:: h < tailSeen || h - tailSeen >= CAP ->  /* Go: the uint64 difference wraps */
				t = tail;
				if
				:: t > h -> room = 0               /* stale head: retry */
				:: t <= h && h - t >= CAP -> room = 0; st = FULL
				:: else ->
					if
					:: batched -> room = 0; st = FULL  /* less room than the batch */
					:: true -> tailSeen = t
					fi
				fi
			:: else -> skip
			fi;
			if
			:: room ->
				atomic {
#ifdef BROKEN_SEPARATE_FLAG
					/* the closed bit beside the word: the CAS ignores it */
					if :: hidx == h -> hidx = h + 1; ok = 1 :: else -> ok = 0 fi
#else
					if :: hidx == h && !hclosed -> hidx = h + 1; ok = 1 :: else -> ok = 0 fi
#endif
				};
				if
				:: ok ->
					assert(tail + CAP > h);   /* the slot's previous position is released */
					val[h % N] = v;
					seq[h % N] = h + 1;
					st = OK
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi
	od;
	h = 0; t = 0; c = 0; room = 0; ok = 0  /* dead temporaries */
}

/* channel.send(v, batched) -> st */
inline send(v, st, batched) {
	if
#ifdef BROKEN_HAND_LOOKING
	:: waiting != IDLE ->  /* takes a wait that is still looking */
		atomic { if :: waiting != IDLE -> waiting = IDLE; took = 1 :: else -> skip fi }
#else
	:: waiting == PARKED ->  /* Load, then CAS(PARKED, IDLE) */
		atomic { if :: waiting == PARKED -> waiting = IDLE; took = 1 :: else -> skip fi }
#endif
	:: else -> skip
	fi;
	if
	:: took ->
		/* Len() == 0 && !Closed(): tail, then head; then head again */
		t = tail;
		h = hidx;
		if
#ifdef BROKEN_HAND_NONEMPTY
		:: true ->
#else
		:: h == t ->
#endif
			c = hclosed
		:: else -> c = 1
		fi;
		if
		:: !c -> assert(empty(hand)); hand!v,1; st = OK
		:: else ->
			tryEnqueue(v, st, batched);
			assert(empty(hand)); hand!0,0
		fi
	:: else ->
		tryEnqueue(v, st, batched);
		if
		:: st == OK -> wake()
		:: else -> skip
		fi
	fi;
	took = 0; h = 0; t = 0; c = 0  /* dead temporaries */
}

/* Ring.Poll -> v, st: TryDequeue that reads head, to tell Busy / Closed /
 * Empty, only once Close has set the closed flag (EMPTY before); with
 * exact, TryDequeue itself. */
inline tryDequeue(v, st, exact) {
	t = tail;
	if
	:: seq[t % N] == t + 1 ->
		atomic { v = val[t % N]; val[t % N] = 0 };  /* one plain read and write of the receiver's slot */
		/* tail.CompareAndSwap(t, t+1): one receiver, so it never fails
		 * (mpsc_list.pml checks the CAS against two consumers) */
		atomic { assert(tail == t); tail = t + 1 };
		st = OK
	:: else -> if :: !cflag && !exact -> st = EMPTY :: else ->
		atomic { h = hidx; c = hclosed };
		if
#ifdef BROKEN_BUSY_AS_EMPTY
		:: c -> st = CLOSED
		:: else -> st = EMPTY
#else
		:: h != t -> st = BUSY
		:: h == t && c -> st = CLOSED
		:: else -> st = EMPTY
#endif
		fi
	fi fi;
	h = 0; t = 0; c = 0  /* dead temporaries */
}

/* Sender.Close on handle hd */
inline closeHandle(hd) {
	atomic { if :: !handleClosed[hd] -> handleClosed[hd] = 1; first = 1 :: else -> first = 0 fi };
	if
	:: first ->
		atomic { handles--; last = (handles == 0) };
		if
		:: last -> closeChan()
		:: else ->
			ecNotify()
		fi
	:: else -> skip
	fi;
	first = 0; last = 0; wasClosed = 0  /* dead temporaries */
}

proctype Sender(byte hd; byte firstV; byte count; bit closeAfter) {
	byte i, v, st, h, t, myEpoch, seen, rel, w;
	bit c, room, ok, first, last, wasClosed, spun, took;
	do
	:: i == count -> break
	:: else ->
		v = firstV + i;
		i++;
		if
		:: handleClosed[hd] -> st = CLOSED
		:: else -> send(v, st, 1)
		fi;
		if  /* Send's slow path: spin, while the receiver releases slots */
		:: st == FULL ->
			seen = tail;  /* Ring.Released */
			do
			:: st != FULL -> break
			:: else ->
				if
				:: true -> break   /* ctx done: wait on room */
				:: true ->          /* yield, try again */
					if
					:: handleClosed[hd] -> st = CLOSED
					:: else -> send(v, st, 1)
					fi;
#ifdef BROKEN_SPIN_AS_RECHECK
					spun = 1;
#endif
					if
					:: st == FULL ->
						rel = tail;  /* Ring.Released */
						if
						:: rel == seen -> break  /* no progress: park */
						:: else -> seen = rel
						fi;
						rel = 0
					:: else -> skip
					fi
				fi
			od;
			seen = 0
		:: else -> skip
		fi;
		do  /* then, while Full, wait on room */
		:: st != FULL -> break
		:: else ->
			atomic { ecCount++; myEpoch = ecEpoch };  /* Prepare */
#ifdef BROKEN_SPIN_AS_RECHECK
			if
			:: spun -> spun = 0  /* trusts the spin's last try, made before Prepare */
			:: else ->
#endif
#ifndef BROKEN_NO_RECHECK
			if
			:: handleClosed[hd] -> st = CLOSED
#ifdef BROKEN_BATCHED_RECHECK
			:: else -> send(v, st, 1)  /* the look again may refuse room */
#else
			:: else -> send(v, st, 0)
#endif
			fi;
#endif
#ifdef BROKEN_SPIN_AS_RECHECK
			skip
			fi;
#endif
			if
			:: st != FULL -> ecCount--                           /* Cancel */
			:: else -> atomic { ecEpoch != myEpoch -> ecCount-- }  /* Commit */
#ifdef BROKEN_NO_RECHECK
				; send(v, st, 0)
#endif
			fi
		od;
		if
		:: st == OK -> sentOK[v] = 1
		:: else -> assert(st == CLOSED)
		fi;
		v = 0; st = 0; myEpoch = 0
	od;
	if
	:: closeAfter -> closeHandle(hd)
	:: else -> skip
	fi;
	done++
}

proctype Closer(byte hd) {
	byte w;
	bit first, last, wasClosed;
	closeHandle(hd);
	done++
}

/* Receiver.park(done, exact): v, st; cancelled once the ctx ended and
 * the wait was withdrawn, or ended with a token. */
inline park(exact, cancellable) {
	do
	::
		waiting = LOOKING;
#ifdef BROKEN_RECV_NO_RECHECK
		st = EMPTY;  /* parks on the look made before the announcement */
#else
		tryDequeue(v, st, exact);
#endif
		if
		:: st == OK || st == CLOSED || (exact && st == EMPTY) ->
			atomic { if :: waiting == LOOKING -> waiting = IDLE; took = 0 :: else -> took = 1 fi };
#ifndef BROKEN_ABSORB_SKIP
			if
			:: took -> hand?hv,hh; assert(!hh)  /* a token */
			:: else -> skip
			fi;
#endif
			break
		:: else -> skip
		fi;
		atomic { if :: waiting == LOOKING -> waiting = PARKED; took = 0 :: else -> took = 1 fi };
		if
		:: took -> hand?hv,hh; assert(!hh)  /* a token */
		:: else ->  /* block(done) */
			if
			:: hand?hv,hh
			:: cancellable && cancels < CANCELS ->
				cancels++;
#ifdef BROKEN_WITHDRAW_STORE
				waiting = IDLE; took = 0;  /* a Store: the take in flight is missed */
#else
				atomic { if :: waiting == PARKED -> waiting = IDLE; took = 0 :: else -> took = 1 fi };
#endif
				if
				:: took -> hand?hv,hh
				:: else -> skip
				fi;
				if
				:: !hh -> cancelled = 1; break
				:: else -> skip
				fi
			fi
		fi;
		if
		:: hh -> v = hv; st = OK; handed = 1; hv = 0; hh = 0; break
		:: else -> skip
		fi;
		tryDequeue(v, st, exact);
		if
		:: st == OK || st == CLOSED || (exact && st == EMPTY) -> break
		:: else -> skip
		fi
	od;
	took = 0
}

proctype Receiver() {
	byte v, st, h, t, w, hv, cancels;
	bit c, wasClosed, rclosed, took, hh, cancelled, handed;
	do
	:: tryDequeue(v, st, 0);
		if
		:: st == OK || st == CLOSED -> skip
		:: else ->
			park(0, 1);
			if
			:: cancelled -> cancelled = 0; park(1, 0)  /* the exact look after ctx ended */
			:: else -> skip
			fi
		fi;
		if
		:: st == OK ->
			assert(v > 0 && v < NV);
			recvd[v]++;
			assert(recvd[v] == 1);
			assert(v != 1 || recvd[2] == 0);  /* A's values in order */
			if
			:: !handed -> ecNotify()   /* freed: NotifyOne */
			:: else -> handed = 0      /* a handed value took no room */
			fi
		:: st == CLOSED -> break
		:: else -> skip
		fi;
		v = 0; st = 0
#ifdef RECV_CLOSE
	:: !rclosed -> rclosed = 1; closeChan()
#endif
	od;
	(done == 3);
	assert(sentOK[1] == recvd[1] && sentOK[2] == recvd[2] && sentOK[3] == recvd[3])
}

init {
	atomic {
		run Sender(0, 1, 2, 1);
		run Sender(1, 3, 1, 0);
		run Closer(1);
		run Receiver()
	}
}
