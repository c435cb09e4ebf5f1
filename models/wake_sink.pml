/*
 * WakeSink.Wait (waker/wake_sink.go) over its DiatomicWaker
 * (waker/diatomic_waker.go, modelled step for step as in diatomic_waker.pml)
 * and its Parker (waker/parker.go, modelled step for step as in parker.pml:
 * the token lives in the state word pEmpty / pToken / pParked and goes
 * through the channel of capacity 1 only to a Park that is blocked; Wait
 * never calls C or TryPark, so channel mode is left out). Each model is
 * verified on its own, so both protocols are copied here: keep the copies in
 * step with diatomic_waker.pml and parker.pml.
 *
 * One consumer calls Wait again and again; its ready() loads flag (a counter
 * of notifications, stored atomically) and takes what was notified. NOTIFIERS
 * notifiers each add to flag and call WakeSource.Notify. The consumer stops
 * once it has taken every notification, so a lost wake-up leaves it parked
 * for ever, and SPIN reports an invalid end state. The ctx of up to CANCELS
 * of its Park calls ends, at any point while they wait: Park still takes a
 * stored token, or the token a Wake is handing over, and otherwise withdraws
 * and returns ctx.Err(), and that Wait returns it; every Wait, however it
 * returns, must leave nothing registered. A Wake never blocks on the
 * channel, and a Park that returns ctx.Err() was handed no token.
 * -DREADY_PANICS: once, a call of ready() after a Register panics instead of
 * returning; the deferred withdrawal runs as on every other way out, and the
 * consumer recovers and waits again.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3" cc="-DSAFETY -DCOLLAPSE" run="-m10000 -w20"
//@check: defines="-DREADY_PANICS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_NO_RECHECK" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_CANCEL_KEEPS" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_WAKE_STORE" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DREADY_PANICS -DBROKEN_PANIC_KEEPS" cc="-DSAFETY" run="-m10000 -w20"

#ifndef NOTIFIERS
#define NOTIFIERS 2
#endif
#ifndef CANCELS
#define CANCELS 1
#endif

#define PARKER 1 /* the sink's own Parker, the only waker Wait registers */

#define INDEX 1
#define UPDATE 2
#define REGISTERED 4
#define LOCKED 8
#define NOTIFICATION 16
#define NOBODY 255

byte state;         /* DiatomicWaker.state */
byte slot[2];       /* DiatomicWaker.slots: waker ids, 0 = nil */
bit writing[2];     /* a write of slot[i] is in flight */
byte readers[2];    /* reads of slot[i] in flight */
byte holder = NOBODY; /* ghost: the _pid of the notifier holding LOCKED */
byte flag;          /* the wake condition: notifications made so far */
byte pstate;        /* Parker.state */
chan pch = [1] of { bit }; /* Parker.ch */
bit handed;         /* ghost: a Wake gave the token to the blocked Park */

#define PEMPTY 0
#define PTOKEN 1
#define PPARKED 2

/* NOTIFICATION implies REGISTERED and LOCKED; LOCKED means a holder. */
#define INVARIANT \
	assert((state & NOTIFICATION) == 0 || (state & (REGISTERED | LOCKED)) == (REGISTERED | LOCKED)); \
	assert(((state & LOCKED) != 0) == (holder != NOBODY))

inline read_slot(i, v) {
	d_step { assert(!writing[i]); readers[i]++ };
	d_step { v = slot[i]; readers[i]-- }
}

inline write_slot(i, v) {
	d_step { assert(!writing[i] && readers[i] == 0); writing[i] = 1 };
	d_step { slot[i] = v; writing[i] = 0 }
}

/* Register(w). */
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

/* Unregister(): And(^(REGISTERED|NOTIFICATION)). */
inline dw_unregister() {
	d_step { state = state & ~(REGISTERED | NOTIFICATION); INVARIANT }
}

/* The notifier's call of w.Wake(): Parker.Wake (parker.pml's wake, without
 * channel mode), with ps and ok for its locals. */
inline wake(w) {
	assert(w == PARKER);
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

/* CompareAndSwap(st, next) by the notifier; ok reports success. The
 * notifier that sets LOCKED becomes the holder, the one that clears it stops
 * being it. */
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

/* notifySlow(), entered when the fast-path Load saw REGISTERED. */
inline dw_notify_slow() {
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
	wake(w)
}

proctype Notifier() {
	byte st, next, w, ps;
	bit ok;
#ifdef BROKEN_FASTPATH
	st = state; /* the fast-path load before the condition store */
	flag++;
#else
	flag++;
	st = state; /* WakeSource.Notify: the fast-path Load */
#endif
	if
	:: (st & REGISTERED) == 0 -> goto done
	:: else
	fi;
	dw_notify_slow();
done:
	atomic { st = 0; next = 0; w = 0; ps = 0; ok = 0 } /* dead: keep the state small */
}

#ifndef BROKEN_PANIC_KEEPS
#define PANIC_WITHDRAW withdraw()
#else
#define PANIC_WITHDRAW skip /* no deferred withdrawal: a panic leaves the registration */
#endif

/* withdraw(), deferred by wait from its first Register on: Registered(),
 * then Unregister() if a Notify has not consumed the registration. */
inline withdraw() {
	st = state; /* Registered() */
	if
	:: st & REGISTERED -> dw_unregister()
	:: else
	fi
}

proctype Consumer() {
	byte st, r, cur, f, seen, cancels, ps;
	bit got, panicked;
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
			do
			::
				dw_register(PARKER);
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
				/* runtime.Gosched() takes no shared step */
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
				d_step { st = 0; r = 0; cur = 0; f = 0; got = 0; ps = 0 } /* dead */
			od
		fi;
returned:
		/* Wait has returned: nothing is registered */
		assert((state & REGISTERED) == 0);
		d_step { st = 0; r = 0; cur = 0; f = 0; got = 0; ps = 0 } /* dead */
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
	assert(holder == NOBODY && (state & (LOCKED | NOTIFICATION)) == 0);
	assert(!handed && len(pch) == 0 && pstate != PPARKED)
}
