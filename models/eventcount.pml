/*
 * EventCount (eventcount/eventcount.go): Prepare / Cancel / Commit against
 * NotifyOne / NotifyAll, with cancellation while parked and the hand-off of
 * a NotifyOne that chose a waiter whose context had just ended.
 *
 * The state word is three variables (count, queued, epoch) changed together
 * in one atomic step wherever the Go code uses one RMW or CAS on it; a CAS is
 * a load followed by an atomic compare-and-set of all three. mu is a lock
 * bit; the queue and the record states are touched only with it held. Each
 * consumer owns one record: its token (tok: waitlist.Token, a channel of
 * capacity 1 whose send never blocks), and a ghost pending bit
 * for a wake decided and not yet delivered (notifications wake under mu, so
 * only BROKEN_WAKEAFTER leaves one pending past the unlock). With SELECT, a
 * flaky consumer may arm its ticket with Ready and select instead of
 * parking, then Cancel: a receive took the token, or the select was lost.
 *
 * NSTEADY consumers wait with a context that never ends; NFLAKY wait with
 * one that may end while they are parked (or before they Commit), after
 * which they give up. Each consumer wants one item: it Waits on "take an
 * item from a lock-free counter". NPROD producers each add an item and call
 * NotifyOne (the first NALL of them call NotifyAll instead; the next NMANY
 * add two items and call NotifyN(2), which chooses up to two waiters under
 * one hold of mu; the next NHAND first try NotifyHand, which under mu gives
 * the item to the longest-parked consumer's hand, and only when it finds
 * nobody parked add it and call NotifyOne, as mpmc's send does). Every
 * consumer parks in CommitHand, with a hand (the SELECT configurations use
 * no NotifyHand, so no armed, hand-less record is ever at the head).
 *
 * Properties:
 *   - no lost wake-up: when nothing can move any more (timeout), no consumer
 *     is parked while an item is available;
 *   - cancellation leaves nothing behind: at that point count == the number
 *     of queued records, and every parked consumer is queued;
 *   - a record is enqueued without a token or a pending wake (so reusing a
 *     record is safe), and a chosen one that leaves has no wake pending;
 *   - queued == (queue not empty) and count >= queue length whenever mu is
 *     released;
 *   - every item handed to a consumer is taken by it: a handed consumer
 *     whose context ends takes the item all the same (hands == 0).
 */
//@check: defines="" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNALL=1" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNSTEADY=1 -DNFLAKY=2 -DNPROD=1" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DBROKEN_NO_PASSON" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DBROKEN_NO_RECHECK" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DBROKEN_BUMP_WHILE_QUEUED" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DSELECT -DNSTEADY=1 -DNFLAKY=2 -DNPROD=1" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNMANY=1" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNMANY=1 -DNSTEADY=1 -DNFLAKY=2 -DNPROD=1" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DNMANY=1 -DNFLAKY=0 -DNPROD=1 -DBROKEN_NOTIFYN_ONE" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DSELECT -DNSTEADY=1 -DNFLAKY=2 -DNPROD=1 -DBROKEN_WAKEAFTER" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNHAND=2" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DNHAND=1 -DNSTEADY=1 -DNFLAKY=2" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DNHAND=1 -DNSTEADY=1 -DNFLAKY=2 -DBROKEN_HAND_PASSON" cc="-DSAFETY -DCOLLAPSE" run="-m200000"

#ifndef NSTEADY
#define NSTEADY 2
#endif
#ifndef NFLAKY
#define NFLAKY 1
#endif
#ifndef NPROD
#define NPROD 2
#endif
#ifndef NALL
#define NALL 0
#endif
#ifndef NMANY
#define NMANY 0
#endif
#ifndef NHAND
#define NHAND 0
#endif
#if NHAND > 0 && (defined(SELECT) || defined(BROKEN_WAKEAFTER))
#error "NotifyHand refuses a hand-less (armed) head and wakes under mu: not modelled with SELECT or BROKEN_WAKEAFTER"
#endif
#if NMANY > 0 && defined(BROKEN_WAKEAFTER)
#error "notify_n wakes under mu; BROKEN_WAKEAFTER is not modelled for it"
#endif
#define NCONS (NSTEADY + NFLAKY)
#define NONE 255

#define QUEUED 0
#define CHOSEN_ONE 1
#define CHOSEN_ALL 2
#define HANDED 3

byte count;          /* state word: tickets counted */
bit queued;          /* state word: the queue is not empty */
byte epoch;          /* state word: moved by notifications */
bit mu;              /* EventCount.mu */
byte q[NCONS];       /* the FIFO queue of records (record i = consumer i) */
byte qlen;
byte rstate[NCONS];  /* waiter.state, guarded by mu */
bit tok[NCONS];      /* the record's token (its channel holds one) */
bit pending[NCONS];  /* ghost: dequeued, Wake not yet delivered */
bit parked[NCONS];   /* ghost: consumer blocked in Park */
byte items;          /* the condition: a lock-free counter */
byte hands;          /* ghost: items handed to a consumer and not yet taken */

inline lock() { atomic { mu == 0 -> mu = 1 } }
inline unlock() {
	assert(queued == (qlen > 0));
	assert(count >= qlen);
	mu = 0
}

/* Under mu: queue manipulation is invisible to anyone else. */
inline remove_at(k) {
	d_step {
		do
		:: k + 1 < qlen -> q[k] = q[k + 1]; k++
		:: else -> break
		od;
		qlen--;
		q[qlen] = 0;
		k = 0
	}
}

inline take(ok) {
	atomic {
		if
		:: items > 0 -> items--; ok = 1
		:: else -> ok = 0
		fi
	}
}

inline wake(r) { d_step { tok[r] = 1; pending[r] = 0 } }

/* chooseOneLocked: dequeue the head, or with nobody parked move the epoch. */
inline choose_one_locked(next, k) {
	if
	:: qlen == 0 -> epoch++; next = NONE
	:: else ->
		next = q[0];
		k = 0;
		remove_at(k);
		d_step { rstate[next] = CHOSEN_ONE; pending[next] = 1 };
		atomic { count--; if :: qlen == 0 -> queued = 0 :: else fi };
#ifndef BROKEN_WAKEAFTER
		wake(next);   /* under mu */
		next = NONE
#endif
	fi
}

/* moveEpochUnparked: done = 1 if the CAS moved the epoch or nobody is
 * counted any more, 0 if someone is queued (mu needed). */
inline move_epoch_unparked(done, c0, q0, e0) {
	do
	:: atomic { c0 = count; q0 = queued; e0 = epoch };
		if
		:: c0 == 0 -> done = 1; break
#ifndef BROKEN_BUMP_WHILE_QUEUED
		:: c0 != 0 && q0 -> done = 0; break
		:: c0 != 0 && !q0 ->
#else
		:: c0 != 0 ->
#endif
			atomic {
				if
				:: count == c0 && queued == q0 && epoch == e0 -> epoch++; done = 1
				:: else -> done = 2
				fi
			};
			if
			:: done == 1 -> break
			:: else
			fi
		fi
	od
}

inline notify_one(done, c0, q0, e0, next, k) {
	if
	:: count == 0 -> skip /* the single load */
	:: else ->
		move_epoch_unparked(done, c0, q0, e0);
		if
		:: done == 1 -> skip
		:: else ->
			lock();
			choose_one_locked(next, k);
			unlock();
			if
			:: next != NONE -> wake(next)   /* BROKEN_WAKEAFTER only */
			:: else
			fi
		fi
	fi
}

inline notify_all(done, c0, q0, e0, k) { /* uses the caller's woken[] and n */
	if
	:: count == 0 -> skip
	:: else ->
		move_epoch_unparked(done, c0, q0, e0);
		if
		:: done == 1 -> skip
		:: else ->
			lock();
			d_step {
				n = qlen;
				k = 0;
				do
				:: k < qlen ->
					woken[k] = q[k];
					rstate[q[k]] = CHOSEN_ALL;
					pending[q[k]] = 1;
					q[k] = 0;
					k++
				:: else -> break
				od;
				qlen = 0;
				k = 0
			};
			atomic { count = count - n; queued = 0; epoch++ };
#ifndef BROKEN_WAKEAFTER
			do
			:: k < n -> wake(woken[k]); k++   /* under mu */
			:: else -> break
			od;
			unlock()
#else
			unlock();
			do
			:: k < n -> wake(woken[k]); k++
			:: else -> break
			od
#endif
		fi
	fi
}

/* NotifyN(2) (notifyNSlow): under one hold of mu, choose up to two waiters,
 * stopping once the queue is empty; the choice that finds it empty moves the
 * epoch for the waiters not parked, as a NotifyOne would. BROKEN_NOTIFYN_ONE
 * stops after the first choice. */
inline notify_n(done, c0, q0, e0, next, k, m) {
	if
	:: count == 0 -> skip
	:: else ->
		move_epoch_unparked(done, c0, q0, e0);
		if
		:: done == 1 -> skip
		:: else ->
			lock();
			m = 2;
			do
			:: m > 0 && qlen > 0 -> choose_one_locked(next, k); m--
#ifdef BROKEN_NOTIFYN_ONE
				; break
#endif
			:: m > 0 && qlen == 0 -> choose_one_locked(next, k); break
			:: m == 0 -> break
			od;
			unlock()
		fi
	fi
}

/* NotifyHand: the load of queued (off: done = 0, nothing happens); else
 * under mu, with somebody queued, dequeue the head, give it the item
 * (hands++), mark it HANDED and wake it, done = 1; with the queue emptied
 * meanwhile, done = 0. */
inline notify_hand(done, next, k) {
	done = 0;
	if
	:: !queued -> skip /* the single load */
	:: else ->
		lock();
		if
		:: qlen == 0 -> skip
		:: else ->
			next = q[0];
			k = 0;
			remove_at(k);
			d_step { rstate[next] = HANDED; pending[next] = 1; hands++ };
			atomic { count--; if :: qlen == 0 -> queued = 0 :: else fi };
			wake(next);   /* under mu */
			next = NONE;
			done = 1
		fi;
		unlock()
	fi
}

/* release: end a ticket counted outside the queue (Cancel, abandon, an
 * enqueue that finds the epoch moved). With queued off the Go code's load
 * and CAS are one step here (a failed CAS retries); with queued on it takes
 * mu, under which qlen is exact. Either way a ticket ends only while it is
 * counted outside the queue, so that the Go code's check for a Ticket ended
 * twice never fires in correct use. moved: the epoch had moved from my. */
inline release(moved) {
	if
	:: atomic { !queued -> assert(count > 0); count--; moved = (epoch != my) }
	:: atomic { queued -> skip };
		lock();
		atomic { assert(count > qlen); count--; moved = (epoch != my) };
		unlock()
	fi
}

#define ONE 0
#define ALL 1
#define MANY 2
#define HAND 3

proctype producer(byte kind) {
	bit done;
	byte c0, e0, next, k, n, m;
	byte woken[NCONS];
	bit q0;
	if
	:: kind == HAND ->
		notify_hand(done, next, k);
		if
		:: done -> goto handed /* the item went to a consumer's hand */
		:: else -> kind = ONE  /* NotifyHand refused: add it and notify */
		fi
	:: else
	fi;
	if
	:: kind == MANY -> items = items + 2
	:: else -> items++
	fi;
	if
	:: kind == ALL -> notify_all(done, c0, q0, e0, k)
	:: kind == MANY -> notify_n(done, c0, q0, e0, next, k, m)
	:: kind == ONE -> notify_one(done, c0, q0, e0, next, k)
	fi;
handed:
	skip
}

proctype consumer(byte me; bit flaky) {
	byte my, c0, e0, next, k;
	bit q0, cancelled, ok, done, sel, hd;

wait:
	/* Wait: ready(), a CAS loop taking an item */
	take(ok);
	if
	:: ok -> goto finished
	:: else
	fi;
	/* Prepare, then ready() again; Cancel if it now holds */
	atomic { count++; my = epoch };
	take(ok);
	if
	:: ok -> release(done); done = 0; goto finished
	:: else
	fi;

	/* Commit. A flaky consumer's ctx may be done already (or end now):
	 * abandon, a CAS that releases the ticket only if the epoch has not
	 * moved; a notification that moved it wins. */
	if
	:: flaky && !cancelled -> cancelled = 1
	:: true
	fi;
	if
	:: cancelled ->
		release(ok);
		if
		:: ok -> goto wait
		:: else -> goto quit
		fi
	:: else
	fi;

	/* enqueue */
	lock();
	do
	:: atomic { c0 = count; q0 = queued; e0 = epoch };
		if
#ifndef BROKEN_NO_RECHECK
		:: e0 != my ->
			atomic { assert(count > qlen); count-- };
			unlock();
			goto wait
		:: e0 == my && q0 -> break
		:: e0 == my && !q0 ->
#else
		:: q0 -> break
		:: !q0 ->
#endif
			atomic {
				if
				:: count == c0 && queued == q0 && epoch == e0 -> queued = 1; ok = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> break
			:: else
			fi
		fi
	od;
	atomic {
		assert(!tok[me] && !pending[me]);
		assert(count > qlen);   /* the Go code's check that my ticket is counted */
		q[qlen] = me;
		qlen++;
		rstate[me] = QUEUED;
		parked[me] = 1
	};
	unlock();

	/* Ready instead of Commit's Park (a flaky consumer, once): select on
	 * the channel beside another case, then Cancel (leave) either way: a
	 * receive consumed the token; a lost select must pass it on. */
#ifdef SELECT
	if
	:: flaky && !cancelled && !sel ->
		sel = 1;
		if
		:: atomic { tok[me] -> tok[me] = 0; parked[me] = 0 }
		:: atomic { cancelled = 1; parked[me] = 0 }   /* lost the select */
		fi;
		goto leave
	:: true
	fi;
#endif

	/* (Commit yields here, which adds no interleaving.) Park: take the
	 * token, or (flaky) see ctx done, then take a token that arrived
	 * meanwhile or fail. */
end_park:
	if
	:: atomic { tok[me] -> tok[me] = 0; parked[me] = 0 };
		goto woken
	:: flaky && !cancelled && !sel ->
		cancelled = 1;
		atomic {
			parked[me] = 0;
			if
			:: tok[me] -> tok[me] = 0; ok = 1
			:: else -> ok = 0
			fi
		};
		if
		:: ok -> goto woken
		:: else
		fi
	fi;

	/* leave */
leave:
	next = NONE;
	lock();
	if
	:: rstate[me] == QUEUED ->
		k = 0;
		do
		:: q[k] == me -> break
		:: else -> k++
		od;
		remove_at(k);
		atomic { count--; if :: qlen == 0 -> queued = 0 :: else fi }
	:: rstate[me] == HANDED ->
		/* The item is in the hand: take it, and the token; nothing is
		 * passed on. BROKEN_HAND_PASSON treats it as a NotifyOne's
		 * choice: it passes it on, and the consumer gives up. */
		atomic { tok[me] = 0; assert(!pending[me]) };
#ifndef BROKEN_HAND_PASSON
		hd = 1
#else
		choose_one_locked(next, k)
#endif
	:: rstate[me] == CHOSEN_ONE || rstate[me] == CHOSEN_ALL ->
		/* Woken under mu: TryPark finds the token unless a receive from
		 * Ready took it; a NotifyOne is passed on only if it was there.
		 * Either way the record is reused: no wake may be on its way. */
		atomic { ok = tok[me]; tok[me] = 0; assert(!pending[me]) };
#ifndef BROKEN_NO_PASSON
		if
		:: rstate[me] == CHOSEN_ONE && ok -> choose_one_locked(next, k)
		:: else
		fi;
#endif
		ok = 0
	fi;
	unlock();
	if
	:: next != NONE -> wake(next)   /* BROKEN_WAKEAFTER only */
	:: else
	fi;
	if
	:: hd -> hd = 0; atomic { hands--; rstate[me] = QUEUED }; goto finished /* CommitHand: handed, nil */
	:: else
	fi;
	if
	:: sel -> sel = 0; goto wait   /* Cancel after the select: wait again */
	:: else
	fi;
	goto quit;
	/* Commit returned nil: handed (the Kind read after Park), or a
	 * notification, and Wait checks ready() again. */
woken:
	if
	:: rstate[me] == HANDED -> atomic { hands--; rstate[me] = QUEUED }; goto finished
	:: else -> goto wait
	fi;
quit:
	skip;
finished:
	skip
}

/* When nothing can move, nobody sleeps next to an item, and what is counted
 * is exactly what is queued. */
active proctype monitor() {
	byte k;
end:
	timeout ->
	d_step {
		k = 0;
		do
		:: k < NCONS ->
			assert(!(parked[k] && items > 0));
			assert(!parked[k] || rstate[k] == QUEUED);
			k++
		:: else -> break
		od;
		assert(count == qlen);
		assert(hands == 0)
	}
}

init {
	byte i;
	atomic {
		i = 0;
		do
		:: i < NCONS -> run consumer(i, i >= NSTEADY); i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < NALL && i < NPROD -> run producer(ALL); i++
		:: i >= NALL && i < NALL + NMANY && i < NPROD -> run producer(MANY); i++
		:: i >= NALL + NMANY && i < NALL + NMANY + NHAND && i < NPROD -> run producer(HAND); i++
		:: i >= NALL + NMANY + NHAND && i < NPROD -> run producer(ONE); i++
		:: else -> break
		od
	}
}
