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
chan pch = [1] of { bit }; /* WakeSink.ch */
byte holder = NOBODY; /* ghost: the _pid of the notifier holding LOCKED */
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

proctype Notifier() {
	byte st, next, w;
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
	d_step { state = st & ~OWN; INVARIANT };
	if
	:: st & OWN -> took = 0
	:: else -> took = 1; pch?_
	fi
#elif defined(BROKEN_WITHDRAW_LOAD)
	st = state; /* Load, then And(^OWN) if set: the Wake's CAS in between is missed */
	if
	:: st & OWN -> d_step { state = state & ~OWN; INVARIANT }; took = 0
	:: else -> took = 1; pch?_
	fi
#else
	d_step { st = state; state = state & ~OWN; INVARIANT }; /* And(^OWN) */
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

proctype Consumer() {
	byte st, r, cur, f, seen, cancels;
	bit panicked, took;
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
						f = flag; /* ready(): the Wake wins if it is true */
						if
						:: f > seen -> seen = f
						:: else
						fi
					:: else
					fi;
#endif
					break /* ctx.Err(), or nil if ready reported true */
				fi;
				f = flag; /* ready() */
				if
				:: f > seen -> seen = f; break /* not armed: nothing to withdraw */
#ifdef READY_PANICS
				:: !panicked -> panicked = 1; break /* ready panics instead; not armed */
#endif
				:: else
				fi;
				d_step { st = 0; f = 0; took = 0 } /* dead */
			od
		fi;
returned:
		/* Wait has returned: its own registration is withdrawn, no token is
		 * left in ch, and once a Wait has unregistered the foreign waker
		 * nothing is registered */
		assert((state & OWN) == 0 && len(pch) == 0);
#if defined(FOREIGN) && !defined(NO_STATE_CHECKS)
		assert(!unreg || (state & REGISTERED) == 0);
#endif
		d_step { st = 0; f = 0; took = 0 } /* dead */
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
