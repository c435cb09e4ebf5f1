/*
 * WakeSink.Wait (waker/wake_sink.go) over its DiatomicWaker
 * (waker/diatomic_waker.go, modelled step for step as in diatomic_waker.pml)
 * and its Parker (waker/parker.go: a token in a channel of capacity 1; Wake
 * stores it unless it is there, Park takes it or blocks).
 *
 * One consumer calls Wait again and again; its ready() loads flag (a counter
 * of notifications, stored atomically) and takes what was notified. NOTIFIERS
 * notifiers each add to flag and call WakeSource.Notify. The consumer stops
 * once it has taken every notification, so a lost wake-up leaves it parked
 * for ever, and SPIN reports an invalid end state. Up to CANCELS of its Park
 * calls may see ctx done: Park then takes the token if one is stored and
 * fails otherwise, and that Wait returns ctx.Err(); every Wait, however it
 * returns, must leave nothing registered.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_NO_RECHECK" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_CANCEL_KEEPS" cc="-DSAFETY" run="-m10000 -w20"

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
bit tok;            /* the Parker's token (its channel of capacity 1) */

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

/* The notifier's call of w.Wake(): Parker.Wake stores the token. */
inline wake(w) {
	assert(w == PARKER);
	tok = 1
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
	byte st, next, w;
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
	atomic { st = 0; next = 0; w = 0; ok = 0 } /* dead: keep the state small */
}

proctype Consumer() {
	byte st, r, cur, f, seen, cancels;
	bit got;
	do
	:: seen == NOTIFIERS -> break
	:: else ->
		/* Wait(ctx, ready) */
		f = flag; /* ready() */
		if
		:: f > seen -> seen = f
		:: else ->
			/* wait(ctx, ready) */
			do
			::
				dw_register(PARKER);
#ifndef BROKEN_NO_RECHECK
				f = flag; /* ready() */
				if
				:: f > seen -> seen = f; dw_unregister(); break
				:: else
				fi;
#endif
				/* Park(ctx) */
				if
				:: atomic { tok == 1 -> tok = 0; got = 1 }
				:: cancels < CANCELS ->
					/* ctx is done: the token still wins if stored */
					d_step {
						cancels++;
						if
						:: tok == 1 -> tok = 0; got = 1
						:: else -> got = 0
						fi
					}
				fi;
				if
				:: got == 0 ->
#ifndef BROKEN_CANCEL_KEEPS
					dw_unregister();
#endif
					break /* ctx.Err() */
				:: else
				fi;
				f = flag; /* ready() */
				if
				:: f > seen ->
					seen = f;
					st = state; /* Registered() */
					if
					:: st & REGISTERED -> dw_unregister()
					:: else
					fi;
					break
				:: else
				fi;
				d_step { st = 0; r = 0; cur = 0; f = 0; got = 0 } /* dead */
			od
		fi;
		/* Wait has returned: nothing is registered */
		assert((state & REGISTERED) == 0);
		d_step { st = 0; r = 0; cur = 0; f = 0; got = 0 } /* dead */
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
	assert(holder == NOBODY && (state & (LOCKED | NOTIFICATION)) == 0)
}
