/*
 * mpmc (mpmc/chan.go): the wake-up of receivers and senders around the
 * ring. Receivers wait for values in Recv (sleepers++, then Prepare / look /
 * Commit on the EventCount items) or in a select on Ready (arm the handle,
 * look again, wait for its token); senders wait for room on the EventCount
 * room. A send that finds sleepers == 0 (one load of the word waiting)
 * notifies nobody, nor one that finds searching != 0 and then, at its load
 * of the ring's length, no more values than searchers. Otherwise it calls
 * items.NotifyOne and, if a handle is armed, fires every armed handle. Before
 * all that, a send that loads sleepers != 0 and searching == 0 and finds the
 * ring empty and open calls items.NotifyHand: the receiver parked longest
 * (in CommitHand: every receiver of Recv parks with a hand) is given the
 * value and a token, and the send enqueues nothing and wakes nobody else;
 * a woken receiver that was handed a value returns it, and so does one
 * whose context ends after the hand-off. The steady receiver may
 * search before it parks (searching++, a look, stopSearch: searching--
 * and, if that made it 0, a wake-up per value left), and may go away, once,
 * with a value it took (a long job). A flaky receiver's context may end
 * while it is parked, after it was chosen, and it then makes its last exact
 * look and gives up; a send's first try (TryEnqueueBatched) may refuse
 * room short of a batch, the look after its Prepare on room never does;
 * the Ready receiver may find its select's other case ready, once, take it
 * and go away. The last sender to finish closes the channel while receivers
 * and senders may be parked, or leaves it open (as if another handle were).
 * Two receivers run: a steady one and a flaky one, or (-DREADY) the flaky
 * one and the Ready one, which is then alone once the flaky one gives up.
 *
 * The ring is a counter of values (items), its closed bit, and a count of
 * values received (got); each ring operation is one atomic step, as its
 * linearization point is one CAS (the ring itself is exercised by the Go
 * tests; its CAS loops add no wake-up interleavings). The two EventCounts
 * are modelled by their contract, checked step for step in eventcount.pml:
 * Prepare counts a ticket and remembers the epoch; Commit returns at once if
 * the epoch moved, else joins the FIFO queue and parks; NotifyOne with
 * nobody counted does nothing, with nobody queued moves the epoch, else
 * dequeues the head and gives it a token; NotifyAll dequeues everyone and
 * moves the epoch; a parked waiter whose context ends either takes a token
 * already given (the token wins) or leaves, and if it had been chosen, the
 * notification is passed on to the next waiter.
 *
 * Properties, when nothing can move any more (timeout):
 *   - no receiver is parked (in Commit, or in its select on Ready) while a
 *     value is in the ring, and none while the channel is closed;
 *   - no sender is parked while there is room or the channel is closed;
 *   - every value sent is received exactly once or still in the ring:
 *     got + items == sent (a value handed is sent, and received when its
 *     receiver takes it), items == 0 if no receiver gave up, and no
 *     receiver is left with a value in its hand;
 *   - sleepers == the receivers waiting in Recv + the armed handles, and
 *     searching == 0.
 */
//@check: defines="" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@check: defines="-DCAP=2" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@check: defines="-DREADY" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@check: defines="-DREADY -DCAP=2" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DREADY -DBROKEN_NO_READY_RECHECK" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DREADY -DBROKEN_FIRE_ONE" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DBROKEN_SLEEPERS_LATE" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DBROKEN_SEARCH_LATE" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DBROKEN_NO_HANDON" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DREADY -DCAP=2 -DBROKEN_BATCHED_LOOK" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@check: defines="-DNO_PASSON" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@check: defines="-DNO_LAST_LOOK" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DNO_PASSON -DNO_LAST_LOOK" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"
//@broken: defines="-DBROKEN_HAND_AS_CHOSEN" cc="-DSAFETY -DCOLLAPSE -DMEMLIM=2048" run="-m100000"

#ifndef CAP
#define CAP 1
#endif
#ifdef BROKEN_HAND_AS_CHOSEN
#define BROKEN_LEAVE 1 /* leave passes a hand-off on as a notification */
#else
#define BROKEN_LEAVE 0
#endif
#define NSEND 2
#define NWAIT 4     /* waiter ids: 0 steady receiver, 1 flaky receiver, 2, 3 senders */
#define NONE 255
#define ITEMS 0     /* EventCount ids */
#define ROOM 1

/* The ring. */
byte items;          /* values in the ring */
bit closed;
byte sent;           /* sends that returned nil */
byte got;            /* values received */

/* The channel. */
byte sleepers;
byte searching;
byte nArmed;
bit armed;           /* the Ready receiver's handle is on the armed list */
bit rtok;            /* a token in its ready channel */
byte senders = NSEND;

/* The EventCounts' contract. */
byte cnt[2];
byte epoch[2];
byte q[2 * NWAIT];   /* FIFO queues: q[ec * NWAIT + i] */
byte qlen[2];
bit tok[NWAIT];      /* a waiter's Parker token */
bit chosen[NWAIT];   /* dequeued by a NotifyOne: its notification must not be lost */
bit handed[NWAIT];   /* dequeued by a NotifyHand, with a value in its hand */

/* Ghosts. */
bit parked[NWAIT];   /* blocked in Commit */
bit rsleep;          /* the Ready receiver waits in its select */
bit gaveUp;          /* the flaky receiver left with the channel open */
bit wentAway;        /* the Ready receiver took the other case */
bit busy;            /* the steady receiver went away with a value found searching */


/* Dequeue the head of ec's queue and give it a token, or with nobody
 * queued move the epoch (every counted ticket's Commit returns). */
inline choose_one(ec, k) {
	if
	:: qlen[ec] == 0 -> epoch[ec]++
	:: else ->
		tok[q[ec * NWAIT]] = 1;
		chosen[q[ec * NWAIT]] = 1;
		k = 0;
		do
		:: k + 1 < qlen[ec] -> q[ec * NWAIT + k] = q[ec * NWAIT + k + 1]; k++
		:: else -> break
		od;
		qlen[ec]--;
		cnt[ec]--;
		k = 0
	fi
}

inline notify_one(ec, k) {
	atomic {
		if
		:: cnt[ec] == 0 -> skip /* the single load */
		:: else -> choose_one(ec, k)
		fi
	}
}

inline notify_all(ec, k) {
	atomic {
		if
		:: cnt[ec] == 0 -> skip
		:: else ->
			k = 0;
			do
			:: k < qlen[ec] -> tok[q[ec * NWAIT + k]] = 1; chosen[q[ec * NWAIT + k]] = 0; k++
			:: else -> break
			od;
			cnt[ec] = cnt[ec] - qlen[ec];
			qlen[ec] = 0;
			epoch[ec]++;
			k = 0
		fi
	}
}

/* NotifyHand: with somebody queued (the load of queued, then under mu the
 * head of the queue; every waiter of items parks in CommitHand with a hand),
 * dequeue the head, put the value in its hand and give it a token; res = 1.
 * Otherwise nothing, res = 0. A load of queued that finds it off while a
 * waiter is queued is the same as this step made before the waiter queued. */
inline notify_hand(ec, res, k) {
	atomic {
		if
		:: qlen[ec] == 0 -> res = 0
		:: else ->
			tok[q[ec * NWAIT]] = 1;
			handed[q[ec * NWAIT]] = 1;
#ifdef BROKEN_HAND_AS_CHOSEN
			chosen[q[ec * NWAIT]] = 1; /* a leaving owner passes it on */
#endif
			sent++;
			k = 0;
			do
			:: k + 1 < qlen[ec] -> q[ec * NWAIT + k] = q[ec * NWAIT + k + 1]; k++
			:: else -> break
			od;
			qlen[ec]--;
			cnt[ec]--;
			k = 0;
			res = 1
		fi
	}
}

inline prepare(ec, my) { atomic { cnt[ec]++; my = epoch[ec] } }
inline cancel(ec) { cnt[ec]-- }

/* Commit up to parking: returns at once (res = 1) if the epoch moved, else
 * joins the queue (res = 0) and the caller parks. */
inline commit(ec, me, my, res) {
	atomic {
		if
		:: epoch[ec] != my -> cnt[ec]--; res = 1
		:: else ->
			assert(!tok[me]);
			q[ec * NWAIT + qlen[ec]] = me;
			qlen[ec]++;
			chosen[me] = 0;
			parked[me] = 1;
			res = 0
		fi
	}
}

/* A parked waiter whose context ends: res = 1 if it takes a token (nil),
 * 0 if it leaves (ctx.Err()), passing on a notification it was chosen for.
 * A waiter handed a value has its token until it takes it: it takes it
 * (leave's rsHanded, whatever Park saw), and then its hand. */
inline leave(ec, me, res, k) {
	atomic {
		parked[me] = 0;
		if
		:: tok[me] -> tok[me] = 0; res = 1 /* the token wins */
		:: tok[me] && chosen[me] && (!handed[me] || BROKEN_LEAVE) ->
			/* withdrew before the wake: the notification is passed on */
			tok[me] = 0;
#ifndef NO_PASSON
			choose_one(ec, k);
#endif
			res = 0
		:: !tok[me] ->
			k = 0;
			do
			:: q[ec * NWAIT + k] == me -> break
			:: else -> k++
			od;
			do
			:: k + 1 < qlen[ec] -> q[ec * NWAIT + k] = q[ec * NWAIT + k + 1]; k++
			:: else -> break
			od;
			qlen[ec]--;
			cnt[ec]--;
			k = 0;
			res = 0
		fi
	}
}

/* fireArmed: a non-blocking send on the armed handle's channel; disarm. */
inline fire_armed() {
	atomic {
		if
		:: armed -> rtok = 1; armed = 0; nArmed--; sleepers--
		:: else
		fi
	}
}

/* The wake-up of wakeRecvSlow: items.NotifyOne, and every armed handle. */
inline wake(k) {
#ifndef BROKEN_FIRE_ONE
	notify_one(ITEMS, k);
	if
	:: nArmed != 0 -> fire_armed()
	:: else
	fi
#else
	/* one wake-up per value: an armed handle instead of a waiter */
	if
	:: nArmed != 0 -> fire_armed()
	:: else -> notify_one(ITEMS, k)
	fi
#endif
}

/* wakeRecv, after an enqueue: the one load of waiting (ws, wq); nobody
 * waits: done. With searchers counted, a load of the ring's length: a
 * value for each searcher is theirs to take (each looks after it stops),
 * and a wake-up only for a value beyond them. */
inline wake_recv(k) {
	atomic { ws = sleepers; wq = searching };
	if
	:: ws == 0 -> skip
	:: ws != 0 && wq == 0 -> wake(k)
	:: ws != 0 && wq != 0 ->
		if
		:: items > wq -> wake(k)
		:: else -> skip
		fi
	fi;
	ws = 0; wq = 0
}

/* stopSearch: searching--; the last searcher wakes a receiver per value
 * left while its load of waiting finds sleepers and no searcher, and stops
 * at the first load that does not, as the Go code returns. */
inline stop_search(k) {
	atomic { searching--; left = (searching == 0) };
#ifndef BROKEN_NO_HANDON
	if
	:: left -> left = items /* the load of the ring's length */
	:: else
	fi;
	do
	:: left > 0 && (sleepers == 0 || searching != 0) -> break /* the load of waiting */
	:: left > 0 && sleepers != 0 && searching == 0 -> wake(k); left--
	:: left == 0 -> break
	od;
#endif
	left = 0
}

/* A dequeue of one value: st = 0 OK, 1 Empty, 2 Closed. */
inline poll(st) {
	atomic {
		if
		:: items > 0 -> items--; got++; st = 0
		:: items == 0 && closed -> st = 2
		:: else -> st = 1
		fi
	}
}

/* freed(1), after a dequeue. */
inline freed(k) { notify_one(ROOM, k) }

proctype sender(byte me) {
	byte my, k, st, ws, wq;
	bit res;
#ifndef NO_HANDOFF
	/* handOff: the load of waiting; with sleepers and no searcher, the
	 * ring's EmptyOpen (its loads of tail, then head, see the ring empty
	 * and open at the load of head: one step), then items.NotifyHand. A
	 * value handed is sent, and the send enqueues and wakes nothing. */
	atomic { ws = sleepers; wq = searching };
	if
	:: ws != 0 && wq == 0 && items == 0 && !closed -> notify_hand(ITEMS, res, k)
	:: else -> res = 0
	fi;
	ws = 0; wq = 0;
	if
	:: res -> res = 0; goto close
	:: else
	fi;
#endif
	/* Send's first try, TryEnqueueBatched: 0 OK, 1 Full, 2 Closed. It
	 * may refuse room short of a batch (any room but an empty ring's,
	 * in this small ring); the yields that retry it are left out, and
	 * the look after Prepare below is the exact TryEnqueue. */
	atomic {
		if
		:: closed -> st = 2
		:: !closed && items < CAP -> items++; sent++; st = 0
		:: !closed && items > 0 -> st = 1
		:: else -> st = 1
		fi
	};
	if
	:: st == 1 ->
		do
		:: prepare(ROOM, my);
			/* the exact TryEnqueue */
			atomic {
				if
				:: closed -> st = 2
				:: !closed && items < CAP -> items++; sent++; st = 0
#ifdef BROKEN_BATCHED_LOOK
				:: !closed && items > 0 -> st = 1 /* refuses room short of a batch */
#endif
				:: else -> st = 1
				fi
			};
			if
			:: st != 1 -> cancel(ROOM); break
			:: else
			fi;
			commit(ROOM, me, my, res);
			if
			:: res -> skip
			:: else ->
end_room:			atomic { tok[me] -> tok[me] = 0; parked[me] = 0 }
			fi
		od
	:: else
	fi;
	if
	:: st == 0 -> wake_recv(k)
	:: else
	fi;
	/* Close of this handle; the last one closes the channel. */
close:
	atomic { senders--; res = (senders == 0) };
	if
	:: res -> skip /* some other handle stays open: nobody closes */
	:: res ->
		closed = 1;
		notify_all(ITEMS, k);
		notify_all(ROOM, k);
		if
		:: nArmed != 0 -> fire_armed()
		:: else
		fi
	:: else
	fi
}

/* Recv in a loop until ErrClosed; a flaky receiver's context may end once
 * while it is parked, and it then gives up (after its last exact look). */
proctype receiver(byte me; bit flaky) {
	byte my, k, st;
	bit res, cancelled, counted, late, took;
	byte left;
loop:
	poll(st);
	if
	:: st == 0 -> freed(k); goto loop
	:: st == 2 -> goto done
	:: else
	fi;
	/* The steady receiver may have seen a stream: it searches (one look
	 * after a yield stands for searchYields of them), or parks at once. */
	if
	:: !flaky ->
		searching++;
		poll(st);
#ifdef BROKEN_SEARCH_LATE
		if
		:: st == 1 -> late = 1 /* counted until after its last look */
		:: else -> stop_search(k)
		fi;
#else
		stop_search(k);
#endif
		if
		:: st == 0 ->
			freed(k);
			if
			:: true -> goto loop
			:: !busy -> busy = 1; goto done /* a long job: it stays away */
			fi
		:: st == 2 -> goto done
		:: else
		fi
	:: true -> skip
	fi;
#ifndef BROKEN_SLEEPERS_LATE
	sleepers++;
#endif
	do
	:: prepare(ITEMS, my);
		poll(st);
#ifdef BROKEN_SEARCH_LATE
		if
		:: late -> searching--; late = 0
		:: else
		fi;
#endif
		if
		:: st != 1 -> cancel(ITEMS); break
		:: else
		fi;
#ifdef BROKEN_SLEEPERS_LATE
		/* counted only after its last look: a send in between notifies nobody */
		if
		:: !counted -> sleepers++; counted = 1
		:: else
		fi;
#endif
		commit(ITEMS, me, my, res);
		if
		:: res -> skip
		:: else ->
end_items:		if
			:: atomic { tok[me] -> tok[me] = 0; parked[me] = 0 }
			:: flaky && !cancelled ->
				cancelled = 1;
				leave(ITEMS, me, res, k);
				if
				:: res -> skip
				:: else ->
#ifndef NO_LAST_LOOK
					poll(st); /* the last exact look */
					if
					:: st == 1 -> gaveUp = 1
					:: else
					fi;
#else
					st = 1; gaveUp = 1;
#endif
					break
				fi
			fi
		fi;
		/* CommitHand reported a value handed: the wait returns it */
		if
		:: handed[me] -> handed[me] = 0; got++; took = 1; st = 0; break
		:: else
		fi;
		/* Commit returned nil: look before preparing again */
		poll(st);
		if
		:: st != 1 -> break
		:: else
		fi
	od;
#ifndef BROKEN_SLEEPERS_LATE
	sleepers--;
#else
	if
	:: counted -> sleepers--
	:: else
	fi;
	counted = 0;
#endif
	if
	:: st == 0 ->
		if
		:: took -> took = 0 /* never in the ring: no room freed */
		:: else -> freed(k)
		fi;
		if
		:: true -> goto loop
		:: !flaky && !busy -> busy = 1; goto done /* a long job */
		fi
	:: st == 2 -> goto done
	:: else -> goto done /* gave up */
	fi;
done:
	skip
}

/* TryRecv, then a select on Ready beside another case it may take once,
 * after which it goes away. */
proctype readyReceiver() {
	byte k, st;
	bit other;
loop:
	poll(st);
	if
	:: st == 0 -> freed(k); goto loop
	:: st == 2 -> goto done
	:: else
	fi;
	/* Ready */
	if
	:: items > 0 || closed -> goto loop /* readyNow */
	:: else
	fi;
	rtok = 0; /* drain a stale token */
	atomic {
		if
		:: !armed -> armed = 1; nArmed++; sleepers++
		:: else
		fi
	};
#ifndef BROKEN_NO_READY_RECHECK
	if
	:: items > 0 || closed -> rtok = 1
	:: else
	fi;
#endif
	/* select */
	/* whether the select's other case is ready (once at most) */
	if
	:: !wentAway -> other = 1
	:: true -> other = 0
	fi;
	rsleep = 1;
end_select:
	if
	:: atomic { rtok -> rtok = 0; rsleep = 0 }; goto loop
	:: atomic { other -> wentAway = 1; rsleep = 0 }; goto done /* took the other case */
	fi;
done:
	skip
}

active proctype monitor() {
	byte k;
end:
	timeout ->
	d_step {
		assert(!(parked[0] || parked[1] || rsleep) || items == 0 && !closed);
		assert(!(parked[2] || parked[3]) || items == CAP && !closed);
		assert(got + items == sent);
		assert(!handed[0] && !handed[1]);
		assert(gaveUp || wentAway || busy || items == 0);
		assert(searching == 0);
		assert(sleepers == nArmed + (parked[0] + parked[1]));
		assert(nArmed == armed)
	}
}

init {
	atomic {
#ifdef READY
		/* the flaky receiver may give up, and leave the Ready one alone */
		run receiver(1, 1);
		run readyReceiver();
#else
		run receiver(0, 0);
		run receiver(1, 1);
#endif
		run sender(2);
		run sender(3)
	}
}
