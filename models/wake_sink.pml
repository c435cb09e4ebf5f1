/*
 * WakeSink.Wait (waker/wake_sink.go) and WakeSource.Wake over the sink's
 * DiatomicWaker state word (waker/diatomic_waker.go) and its channel of
 * capacity 1 (sink.ch).
 *
 * A Wait registers itself outside the DiatomicWaker's slots: its
 * registration is state.Or(OWN), after which it is armed. A
 * WakeSource.Wake loads the state (the fast path); if OWN or REGISTERED is
 * set it enters wakeSlow, which loads it again and loops on
 * CompareAndSwap(st, st &^ OWN) while OWN is set and, once it wins, sends
 * one token on ch; otherwise, if REGISTERED is set, it runs the slot
 * protocol (DiatomicWaker.wakeSlow). The Wait, armed, checks ready and then
 * blocks receiving from ch (a select with ctx's Done); a token received
 * disarms it. Every way out of an armed Wait (ready true, a panic of ready,
 * ctx done) withdraws: And(^OWN), keeping the old value, and if OWN was
 * already clear a Wake took the registration and sends a token, which the
 * withdrawal receives. So ch holds at most one token, a Wake's send never
 * blocks, and ch is empty whenever a Wait returns. A waker given to
 * WakeSink.Register goes through the slots, and a Wait unregisters it
 * before it sets OWN.
 *
 * One consumer calls Wait again and again; its ready() loads flag (a counter
 * of notifications, stored atomically) and takes what was notified. NOTIFIERS
 * notifiers each add to flag and call WakeSource.Wake. The consumer stops
 * once it has taken every notification, so a lost wake-up leaves it parked
 * for ever, and SPIN reports an invalid end state. The ctx of up to CANCELS
 * of its blocking receives ends, at any point while they wait: the select
 * may still take a token that is there, and otherwise the Wait withdraws
 * and returns ctx.Err(), or nil if its withdrawal received a Wake's token
 * and ready then reports true; every Wait, however it returns, must leave
 * OWN clear and ch empty. A Wake never blocks on the channel. OWN and
 * REGISTERED are never set together.
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
 *
 * PARKED: after its check that follows the Or(OWN) found ready false, the
 * Wait marks its registration parked (park: a CAS of st to st|PARKED,
 * retried while OWN is set; one conditional step here, since its retries
 * change nothing). Wake's CAS and the withdrawal clear PARKED with OWN.
 * -DHAND: each notifier first tries WakeSource.Hand: it loads the state and,
 * if PARKED is set, CASes it to st &~ (OWN|PARKED); if that succeeds, give
 * writes the handed slot (a plain write, two steps, checked against the
 * consumer's plain accesses by ghost flags) and the deferred send puts a
 * token in ch. A notifier whose Hand failed makes its notification the
 * ordinary way (flag++, Wake). The consumer's ready() first reads the
 * handed slot (a plain read) and takes what is there (a plain write), then
 * loads flag. So the model checks that a give never overlaps a read or
 * write of the slot by the predicate, that a slot is never given twice
 * before it is taken, that every handed item is taken, and that no Wait
 * returns with the slot full or PARKED set.
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
//@broken: defines="-DBROKEN_NO_ABSORB" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_WITHDRAW_LOAD" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DREADY_PANICS -DBROKEN_PANIC_KEEPS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_KEEPS_FOREIGN" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_KEEPS_FOREIGN -DNO_STATE_CHECKS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_CAS_NO_RETRY" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DFOREIGN -DBROKEN_WITHDRAW_STORE" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DHAND" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DHAND -DNOTIFIERS=3" cc="-DSAFETY -DCOLLAPSE" run="-m10000 -w20"
//@check: defines="-DHAND -DFOREIGN" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DHAND -DREADY_PANICS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DHAND -DBROKEN_HAND_UNPARKED" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DHAND -DBROKEN_HAND_KEEPS_PARKED" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DHAND -DBROKEN_WITHDRAW_KEEPS_PARKED" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DHAND -DBROKEN_NO_TAKE_FIRST" cc="-DSAFETY" run="-m10000 -w20"

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
#define PARKED 64
#define NOBODY 255

byte state;         /* DiatomicWaker.state */
byte flag;          /* the wake condition: notifications made so far */
chan pch = [1] of { bit }; /* WakeSink.ch */
byte holder = NOBODY; /* ghost: the _pid of the notifier holding LOCKED */
#ifdef HAND
bit hslot;          /* the handed slot's "has" field (a plain field) */
bit hwriting;       /* ghost: give's write of hslot is in flight */
bit creading;       /* ghost: the predicate's read of hslot is in flight */
bit cwriting;       /* ghost: the predicate's write of hslot is in flight */
#endif
#ifdef FOREIGN
byte slot[2];       /* DiatomicWaker.slots: waker ids, 0 = nil */
bit writing[2];     /* a write of slot[i] is in flight */
byte readers[2];    /* reads of slot[i] in flight */
bit unreg;          /* ghost: a Wait has unregistered the foreign waker (or
                     * found its registration taken by a Wake) */
#endif

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
	assert((state & PARKED) == 0 || (state & OWN) != 0); \
	OWN_CHECK

/* The send of wakeSlow once its CAS took OWN: on a channel of capacity 1
 * that must be empty, since a send that blocks would block a Wake. */
inline send_token() {
	atomic { assert(len(pch) == 0); pch!1 }
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

#ifdef HAND
#ifdef BROKEN_HAND_UNPARKED
#define HANDABLE OWN /* hands to a Wait that is only registered */
#else
#define HANDABLE PARKED
#endif
#ifdef BROKEN_HAND_KEEPS_PARKED
#define HAND_CLEARS OWN
#else
#define HAND_CLEARS (OWN | PARKED)
#endif
/* WakeSource.Hand(give): Load; if PARKED, CAS(st, st &~ (OWN|PARKED)); on
 * success give (a plain write of the slot, in two steps) and the deferred
 * send of a token; ok reports success. */
inline hand() {
	st = state; /* Load (the inlined fast path) */
	ok = 0;
	if
	:: st & HANDABLE ->
		st = state; /* hand: Load */
		if
		:: st & HANDABLE ->
			d_step { /* CompareAndSwap(st, st &~ (OWN|PARKED)) */
				if
				:: state == st -> state = st & ~HAND_CLEARS; ok = 1; INVARIANT
				:: else
				fi
			}
		:: else
		fi
	:: else
	fi;
	if
	:: ok ->
		/* give: one item per parking, never over a read or write of the
		 * predicate */
		d_step { assert(!hslot && !creading && !cwriting); hwriting = 1 };
		d_step { hslot = 1; hwriting = 0 };
		send_token()
	:: else
	fi
}
#endif

proctype Notifier() {
	byte st, next, w;
	bit ok, late;
#ifdef HAND
	hand();
	if
	:: ok -> goto done
	:: else
	fi;
#endif
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
			:: state == st -> state = st & ~(OWN | PARKED); ok = 1; INVARIANT
			:: else -> ok = 0
			fi
		};
		if
		:: ok -> send_token(); goto done
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
	atomic { st = 0; next = 0; w = 0; ok = 0; late = 0 } /* dead: keep the state small */
}

#ifndef BROKEN_PANIC_KEEPS
#define PANIC_WITHDRAW withdraw()
#else
#define PANIC_WITHDRAW skip /* no deferred withdrawal: a panic leaves the registration */
#endif

/* withdraw(), deferred by wait and run while it is armed (and by a select
 * that saw ctx done): And(^OWN), keeping the old value; if OWN was clear, a
 * Wake took the registration and sends a token, which the withdrawal
 * receives (took). */
inline withdraw() {
#if defined(BROKEN_WITHDRAW_STORE)
	st = state; /* Load, then Store of the value loaded, less OWN */
	d_step { state = st & ~(OWN | PARKED); INVARIANT };
	if
	:: st & OWN -> took = 0
	:: else -> took = 1; pch?_
	fi
#elif defined(BROKEN_WITHDRAW_LOAD)
	st = state; /* Load, then And(^OWN) if set: the Wake's CAS in between is missed */
	if
	:: st & OWN -> d_step { state = state & ~(OWN | PARKED); INVARIANT }; took = 0
	:: else -> took = 1; pch?_
	fi
#else
#ifdef BROKEN_WITHDRAW_KEEPS_PARKED
	d_step { st = state; state = state & ~OWN }; /* And(^OWN): PARKED stays */
#else
	d_step { st = state; state = state & ~(OWN | PARKED); INVARIANT }; /* And(^(OWN|PARKED)) */
#endif
	if
	:: st & OWN -> took = 0 /* withdrawn */
	:: else ->
		took = 1;
#ifndef BROKEN_NO_ABSORB
		pch?_ /* the token of the Wake that took it */
#else
		skip /* leaves the token in ch */
#endif
	fi
#endif
}

/* Wait's step before its registration: if s.waker.Registered() (a Load),
 * s.waker.Unregister(): And(^(REGISTERED|NOTIFICATION)). */
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
		d_step { state = state & ~(REGISTERED | NOTIFICATION); unreg = 1; INVARIANT }
#endif
	:: else
	fi
#else
	st = state; /* Registered(): a Load */
	assert((st & REGISTERED) == 0)
#endif
}

/* ready(): with HAND, the handed slot first (a plain read, then the plain
 * write that takes it), then flag; rok reports true. */
inline ready() {
#ifdef HAND
#ifndef BROKEN_NO_TAKE_FIRST
	d_step { assert(!hwriting); creading = 1 };
	d_step { h = hslot; creading = 0 };
#else
	h = 0 /* looks at flag only: a handed item is never taken */
#endif
	if
	:: h ->
		d_step { assert(!hwriting); cwriting = 1 };
		d_step { hslot = 0; cwriting = 0 };
		hgot++; rok = 1; h = 0
	:: else ->
#endif
		f = flag;
		if
		:: f > seen -> seen = f; rok = 1
		:: else -> rok = 0
		fi
#ifdef HAND
	fi
#endif
}

/* park(st): CAS(st, st|PARKED), retried while OWN is set. */
inline park() {
	d_step {
		if
		:: state & OWN -> state = state | PARKED
		:: else
		fi;
		INVARIANT
	}
}

proctype Consumer() {
	byte st, r, cur, f, seen, cancels, hgot;
	bit panicked, took, rok, h;
#ifdef FOREIGN
	dw_register(FOREIGN_WAKER); /* WakeSink.Register(foreign) */
	d_step { st = 0; r = 0; cur = 0 } /* dead */
#endif
	do
	:: seen + hgot == NOTIFIERS -> break
	:: else ->
		/* Wait(ctx, ready) */
		ready();
		if
		:: rok
		:: else ->
			/* wait(ctx, ready): runtime.Gosched() (no shared step), ready() */
			ready();
			if
			:: rok -> goto returned
			:: else
			fi;
			unregister_foreign();
			do
			::
				d_step { state = state | OWN; INVARIANT } /* Or(OWN) */
#ifndef BROKEN_NO_RECHECK
				ready();
				if
#ifdef READY_PANICS
				:: !panicked -> panicked = 1; PANIC_WITHDRAW; break /* ready panics instead of returning */
#endif
				:: rok -> withdraw(); break
				:: else
				fi;
#endif
				park();
				/* select { case <-s.ch: case <-done: }: a ctx may end CANCELS
				 * times; without it the select is a plain receive */
				if
				:: pch?_ -> skip /* the token of the Wake that took OWN: disarmed */
				:: cancels < CANCELS ->
					cancels++;
#ifndef BROKEN_CANCEL_KEEPS
					withdraw(); /* disarmed; took = a Wake's token received */
					if
					:: took ->
						ready() /* the Wake wins if it is true */
					:: else
					fi;
#endif
					break /* ctx.Err(), or nil if ready reported true */
				fi;
				ready();
				if
#ifdef READY_PANICS
				:: !panicked -> panicked = 1; break /* ready panics instead of returning; not armed */
#endif
				:: rok -> break /* not armed: nothing to withdraw */
				:: else
				fi;
				d_step { st = 0; f = 0; took = 0; rok = 0 } /* dead */
			od
		fi;
returned:
		/* Wait has returned: its own registration is withdrawn, no token is
		 * left in ch, and once a Wait has unregistered the foreign waker
		 * nothing is registered */
		assert((state & (OWN | PARKED)) == 0 && len(pch) == 0);
#ifdef HAND
		assert(!hslot); /* a handed item is taken by the Wait it was handed to */
#endif
#if defined(FOREIGN) && !defined(NO_STATE_CHECKS)
		assert(!unreg || (state & REGISTERED) == 0);
#endif
		d_step { st = 0; f = 0; took = 0; rok = 0 } /* dead */
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
	assert(len(pch) == 0)
}
