/*
 * WakeSink.Wait (waker/wake_sink.go) and WakeSource.Wake over the sink's
 * DiatomicWaker state word (waker/diatomic_waker.go) and its Parker
 * (waker/parker.go, modelled step for step as in parker.pml: the token lives
 * in the state word pEmpty / pToken / pParked and goes through the channel of
 * capacity 1 only to a Park that is blocked; Wait never calls C or TryPark,
 * so channel mode is left out).
 *
 * A Wait registers the sink's own Parker outside the DiatomicWaker's slots:
 * its registration is state.Or(OWN), its withdrawal a Load of OWN and, if
 * set, state.And(^OWN). A WakeSource.Wake loads the state (the fast path);
 * if OWN or REGISTERED is set it enters wakeSlow, which loads it again and loops on
 * CompareAndSwap(st, st &^ OWN) while OWN is set and calls Parker.Wake once
 * it wins, and otherwise, if REGISTERED is set, runs the slot protocol
 * (DiatomicWaker.wakeSlow). A waker given to WakeSink.Register goes through
 * the slots, and a Wait unregisters it before it sets OWN.
 *
 * One consumer calls Wait again and again; its ready() loads flag (a counter
 * of notifications, stored atomically) and takes what was notified. NOTIFIERS
 * notifiers each add to flag and call WakeSource.Wake. The consumer stops
 * once it has taken every notification, so a lost wake-up leaves it parked
 * for ever, and SPIN reports an invalid end state. The ctx of up to CANCELS
 * of its Park calls ends, at any point while they wait: Park still takes a
 * stored token, or the token a Wake is handing over, and otherwise withdraws
 * and returns ctx.Err(), and that Wait returns it; every Wait, however it
 * returns, must leave OWN clear. A Wake never blocks on the channel, and a
 * Park that returns ctx.Err() was handed no token. OWN and REGISTERED are
 * never set together.
 * -DREADY_PANICS: once, a call of ready() after the Or(OWN) panics instead of
 * returning; the deferred withdrawal runs as on every other way out, and the
 * consumer recovers and waits again.
 * -DFOREIGN: before its first Wait, the consumer registers a foreign waker
 * with WakeSink.Register (DiatomicWaker.Register, the slot protocol, modelled
 * step for step as in diatomic_waker.pml: keep the copies in step, check
 * verifies each file on its own, so there is no #include). The notifiers run
 * from the start, so some may wake the foreign waker through the slots. The
 * first Wait that gets past its yield finds the registration (Registered())
 * and unregisters it, unless a Wake took it first; from that step on (the
 * ghost unreg), REGISTERED stays clear after every Wait, and a Wake whose
 * fast-path Load comes after that step never wakes the foreign waker.
 * Without FOREIGN, REGISTERED is never set, so the slot protocol is left out.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3" cc="-DSAFETY -DCOLLAPSE" run="-m10000 -w20"
//@check: defines="-DREADY_PANICS" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DFOREIGN" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DFOREIGN -DNOTIFIERS=3" cc="-DSAFETY -DCOLLAPSE" run="-m10000 -w20"
//@check: defines="-DFOREIGN -DREADY_PANICS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FAST_MISSES_OWN" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_NO_RECHECK" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_CANCEL_KEEPS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_WAKE_STORE" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DREADY_PANICS -DBROKEN_PANIC_KEEPS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_KEEPS_FOREIGN" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_KEEPS_FOREIGN -DNO_STATE_CHECKS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_CAS_NO_RETRY" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_WITHDRAW_STORE" cc="-DSAFETY" run="-m10000 -w20"

#ifndef NOTIFIERS
#define NOTIFIERS 2
#endif
#ifndef CANCELS
#define CANCELS 1
#endif

#define FOREIGN_WAKER 1 /* the waker given to WakeSink.Register */

#define INDEX 1
#define UPDATE 2
#define REGISTERED 4
#define LOCKED 8
#define NOTIFICATION 16
#define OWN 32
#define NOBODY 255

byte state;         /* DiatomicWaker.state */
byte flag;          /* the wake condition: notifications made so far */
byte pstate;        /* Parker.state */
chan pch = [1] of { bit }; /* Parker.ch */
bit handed;         /* ghost: a Wake gave the token to the blocked Park */
byte holder = NOBODY; /* ghost: the _pid of the notifier holding LOCKED */
#ifdef FOREIGN
byte slot[2];       /* DiatomicWaker.slots: waker ids, 0 = nil */
bit writing[2];     /* a write of slot[i] is in flight */
byte readers[2];    /* reads of slot[i] in flight */
bit unreg;          /* ghost: a Wait has unregistered the foreign waker (or
                     * found its registration taken by a Wake) */
#endif

#define PEMPTY 0
#define PTOKEN 1
#define PPARKED 2

/* NOTIFICATION implies REGISTERED and LOCKED; LOCKED means a holder; OWN is
 * never set with REGISTERED. */
#ifndef NO_STATE_CHECKS
#define OWN_CHECK assert((state & (OWN | REGISTERED)) != (OWN | REGISTERED))
#else
#define OWN_CHECK skip
#endif
#define INVARIANT \
	assert((state & NOTIFICATION) == 0 || (state & (REGISTERED | LOCKED)) == (REGISTERED | LOCKED)); \
	assert(((state & LOCKED) != 0) == (holder != NOBODY)); \
	OWN_CHECK

/* Parker.Wake, called by wakeSlow once its CAS took OWN (parker.pml's
 * wake, without channel mode), with ps and ok for its locals. */
inline parker_wake() {
	do
	:: ps = pstate; /* Load */
		if
		:: ps == PTOKEN -> break /* coalesce with the stored token */
		:: ps == PEMPTY ->
			d_step { /* CompareAndSwap(pEmpty, pToken) */
				if
				:: pstate == PEMPTY -> pstate = PTOKEN; ok = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> break
			:: else
			fi
		:: ps == PPARKED ->
#ifdef BROKEN_WAKE_STORE
			pstate = PTOKEN; break /* Store(pToken): no send to the blocked Park */
#endif
			d_step { /* CompareAndSwap(pParked, pEmpty) */
				if
				:: pstate == PPARKED -> pstate = PEMPTY; ok = 1; assert(!handed); handed = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> atomic { assert(len(pch) == 0); pch!1 }; break /* never blocks */
			:: else
			fi
		fi
	od
}

/* CompareAndSwap(pToken, pEmpty) by the parking goroutine. */
inline take_stored() {
	d_step {
		if
		:: pstate == PTOKEN -> pstate = PEMPTY; got = 1
		:: else -> got = 0
		fi
	}
}

/* <-p.ch in parkSlow: the token a Wake handed to the blocked Park. */
inline recv_handed() {
	atomic { pch?_ -> assert(handed); handed = 0 }
}

/* Park(ctx), got = 1 for nil (parker.pml's park, without channel mode). ctx
 * may end while Park waits, CANCELS times in all; a ctx that never ends
 * makes the select a plain receive, as Park's Done() == nil branch is. */
inline park() {
	ps = pstate; /* fast path: Load */
	if
	:: ps == PTOKEN -> take_stored()
	:: else -> got = 0
	fi;
	if
	:: got -> skip
	:: else ->
		/* parkSlow */
		do
		:: ps = pstate; /* Load */
			if
			:: ps == PTOKEN ->
				take_stored();
				if
				:: got -> break
				:: else
				fi
			:: ps == PPARKED -> assert(false) /* panic: concurrent Park */
			:: ps == PEMPTY ->
				d_step { /* CompareAndSwap(pEmpty, pParked) */
					if
					:: pstate == PEMPTY -> pstate = PPARKED; got = 1
					:: else -> got = 0
					fi
				};
				if
				:: got ->
					if /* select { case <-p.ch: case <-done: } */
					:: recv_handed(); break
					:: cancels < CANCELS ->
						cancels++;
						d_step { /* CompareAndSwap(pParked, pEmpty) */
							if
							:: pstate == PPARKED -> pstate = PEMPTY; got = 0
							:: else -> got = 1
							fi
						};
						if
						:: got -> recv_handed() /* the token wins */
						:: else /* withdrawn: ctx.Err() */
						fi;
						break
					fi
				:: else
				fi
			fi
		od
	fi;
	assert(got || !handed) /* an error return was handed no token */
}

#ifdef FOREIGN
inline read_slot(i, v) {
	d_step { assert(!writing[i]); readers[i]++ };
	d_step { v = slot[i]; readers[i]-- }
}

inline write_slot(i, v) {
	d_step { assert(!writing[i] && readers[i] == 0); writing[i] = 1 };
	d_step { slot[i] = v; writing[i] = 0 }
}

/* WakeSink.Register(w): DiatomicWaker.Register(w). */
inline dw_register(w) {
	st = state; /* Load */
	r = (st & INDEX) ^ ((st & UPDATE) / UPDATE); /* the most recent slot */
	read_slot(r, cur);
	if
	:: cur == w -> d_step { state = state | REGISTERED; INVARIANT } /* Or */
	:: else ->
		/* registerSlow */
		if
		:: (st & (UPDATE | REGISTERED)) == (UPDATE | REGISTERED) ->
			/* And(^(REGISTERED|NOTIFICATION)), keeping the old value */
			d_step { st = state; state = state & ~(REGISTERED | NOTIFICATION); INVARIANT }
		:: else
		fi;
		write_slot((st & INDEX) ^ 1, w);
		d_step { state = state | UPDATE | REGISTERED; INVARIANT } /* Or */
	fi
}

/* CompareAndSwap(st, next) by the notifier in the slot protocol; ok reports
 * success. The notifier that sets LOCKED becomes the holder, the one that
 * clears it stops being it. */
inline notifier_cas() {
	d_step {
		if
		:: state == st ->
			state = next; ok = 1;
			if
			:: (st & LOCKED) == 0 && (next & LOCKED) != 0 ->
				assert(holder == NOBODY); holder = _pid
			:: (st & LOCKED) != 0 && (next & LOCKED) == 0 ->
				assert(holder == _pid); holder = NOBODY
			:: else
			fi;
			INVARIANT
		:: else -> ok = 0
		fi
	}
}

/* DiatomicWaker.wakeSlow(): takeSlow (lock, copy the slot, unlock), then
 * the Wake of the waker copied out, after the lock is released. */
inline dw_wake_slow() {
	/* lock() */
	st = state;
	do
	::
		if
		:: (st & REGISTERED) == 0 -> goto done
		:: (st & (REGISTERED | LOCKED)) == REGISTERED ->
			next = st ^ (LOCKED | REGISTERED);
			if
			:: st & UPDATE -> next = next ^ (UPDATE | INDEX)
			:: else
			fi
		:: (st & (REGISTERED | LOCKED)) == (REGISTERED | LOCKED) && (st & NOTIFICATION) ->
			goto done /* already requested */
		:: (st & (REGISTERED | LOCKED | NOTIFICATION)) == (REGISTERED | LOCKED) ->
			next = st | NOTIFICATION
		fi;
		notifier_cas();
		if
		:: ok -> break
		:: else -> st = state
		fi
	od;
	if
	:: next & NOTIFICATION -> goto done /* the holder notifies for us */
	:: else
	fi;
	st = next;
	do
	::
		/* copy the waker out while the lock protects its slot, the one
		 * the state names */
		assert(holder == _pid && (state & INDEX) == (st & INDEX));
		read_slot(st & INDEX, w);
		/* unlock(st) */
		do
		::
			if
			:: (st & NOTIFICATION) == 0 -> next = st & ~LOCKED
			:: else ->
				next = st ^ (NOTIFICATION | REGISTERED);
				if
				:: st & UPDATE -> next = next ^ (UPDATE | INDEX)
				:: else
				fi
			fi;
			notifier_cas();
			if
			:: ok -> break
			:: else -> st = state
			fi
		od;
		if
		:: st & NOTIFICATION -> st = next /* notify once more */
		:: else -> break
		fi
	od;
	/* w.Wake(): the slots only ever hold the foreign waker, and a Wake
	 * that began after the Wait unregistered it must not get here. */
	assert(w == FOREIGN_WAKER && !late)
}
#endif

proctype Notifier() {
	byte st, next, w, ps;
	bit ok, late;
#ifdef BROKEN_FASTPATH
	st = state; /* the fast-path load before the condition store */
	flag++;
#else
	flag++;
	/* WakeSource.Wake: the fast-path Load */
#ifdef FOREIGN
	d_step { st = state; late = unreg }
#else
	st = state;
#endif
#endif
	if
#ifdef BROKEN_FAST_MISSES_OWN
	:: (st & REGISTERED) == 0 -> goto done /* tests REGISTERED only */
#else
	:: (st & (REGISTERED | OWN)) == 0 -> goto done
#endif
	:: else
	fi;
	/* wakeSlow(): it loads the state again (the fast path passes nothing) */
	st = state; /* Load */
	do
	:: st & OWN ->
		d_step { /* CompareAndSwap(st, st &^ OWN) */
			if
			:: state == st -> state = st & ~OWN; ok = 1; INVARIANT
			:: else -> ok = 0
			fi
		};
		if
		:: ok -> parker_wake(); goto done
		:: else ->
#ifdef BROKEN_CAS_NO_RETRY
			goto done; /* gives up when the CAS fails */
#endif
			st = state /* Load */
		fi
	:: else -> break
	od;
#ifdef FOREIGN
	if
	:: st & REGISTERED -> dw_wake_slow()
	:: else
	fi;
#else
	assert((st & REGISTERED) == 0); /* nothing uses the slots */
#endif
done:
	atomic { st = 0; next = 0; w = 0; ps = 0; ok = 0; late = 0 } /* dead: keep the state small */
}

#ifndef BROKEN_PANIC_KEEPS
#define PANIC_WITHDRAW withdraw()
#else
#define PANIC_WITHDRAW skip /* no deferred withdrawal: a panic leaves the registration */
#endif

/* withdraw(), deferred by wait from before its first Or(OWN): a Load, then
 * And(^OWN) if a Wake has not taken the registration. */
inline withdraw() {
	st = state; /* Load */
	if
#ifdef BROKEN_WITHDRAW_STORE
	:: st & OWN -> d_step { state = st & ~OWN; INVARIANT } /* Store of the value loaded */
#else
	:: st & OWN -> d_step { state = state & ~OWN; INVARIANT } /* And(^OWN) */
#endif
	:: else
	fi
}

/* Wait's step before its registration: if s.waker.Registered() (a Load),
 * s.waker.Unregister(): And(^(REGISTERED|NOTIFICATION|OWN)). */
inline unregister_foreign() {
#ifdef FOREIGN
	d_step { /* Registered(): a Load */
		st = state;
		if
		:: (st & REGISTERED) == 0 -> unreg = 1 /* a Wake took it */
		:: else
		fi
	};
	if
	:: st & REGISTERED ->
#ifdef BROKEN_KEEPS_FOREIGN
		unreg = 1 /* no Unregister */
#else
		d_step { state = state & ~(REGISTERED | NOTIFICATION | OWN); unreg = 1; INVARIANT }
#endif
	:: else
	fi
#else
	st = state; /* Registered(): a Load */
	assert((st & REGISTERED) == 0)
#endif
}

proctype Consumer() {
	byte st, r, cur, f, seen, cancels, ps;
	bit got, panicked;
#ifdef FOREIGN
	dw_register(FOREIGN_WAKER); /* WakeSink.Register(foreign) */
	d_step { st = 0; r = 0; cur = 0 } /* dead */
#endif
	do
	:: seen == NOTIFIERS -> break
	:: else ->
		/* Wait(ctx, ready) */
		f = flag; /* ready() */
		if
		:: f > seen -> seen = f
		:: else ->
			/* wait(ctx, ready): runtime.Gosched() (no shared step), ready() */
			f = flag;
			if
			:: f > seen -> seen = f; goto returned
			:: else
			fi;
			unregister_foreign();
			do
			::
				d_step { state = state | OWN; INVARIANT } /* Or(OWN) */
#ifndef BROKEN_NO_RECHECK
				f = flag; /* ready() */
				if
				:: f > seen -> seen = f; withdraw(); break
#ifdef READY_PANICS
				:: !panicked -> panicked = 1; PANIC_WITHDRAW; break /* ready panics instead */
#endif
				:: else
				fi;
#endif
				park(); /* Park(ctx) */
				if
				:: got == 0 ->
#ifndef BROKEN_CANCEL_KEEPS
					withdraw();
#endif
					break /* ctx.Err() */
				:: else
				fi;
				f = flag; /* ready() */
				if
				:: f > seen -> seen = f; withdraw(); break
#ifdef READY_PANICS
				:: !panicked -> panicked = 1; PANIC_WITHDRAW; break /* ready panics instead */
#endif
				:: else
				fi;
				d_step { st = 0; f = 0; got = 0; ps = 0 } /* dead */
			od
		fi;
returned:
		/* Wait has returned: its own registration is withdrawn, and once a
		 * Wait has unregistered the foreign waker nothing is registered */
		assert((state & OWN) == 0);
#if defined(FOREIGN) && !defined(NO_STATE_CHECKS)
		assert(!unreg || (state & REGISTERED) == 0);
#endif
		d_step { st = 0; f = 0; got = 0; ps = 0 } /* dead */
	od
}

init {
	byte i;
	atomic {
		run Consumer();
		do
		:: i < NOTIFIERS -> run Notifier(); i++
		:: else -> break
		od
	}
end:
	_nr_pr == 1;
	assert(holder == NOBODY && (state & (LOCKED | NOTIFICATION | OWN)) == 0);
	assert(!handed && len(pch) == 0 && pstate != PPARKED)
}
