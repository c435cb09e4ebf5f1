/*
 * DiatomicWaker (waker/diatomic_waker.go): two waker slots and the state
 * word INDEX | UPDATE | REGISTERED | LOCKED | NOTIFICATION.
 *
 * One Promela step per sync/atomic operation of the Go code (Load, Or, And,
 * CompareAndSwap; Or and And return the old value, as Go's do); a plain read
 * or write of a slot (an interface value, two words) is two steps, and a read
 * that overlaps a write of the same slot fails an assertion. Notifiers may
 * read a slot only while they hold LOCKED, and at most one holds it.
 *
 * One registrant and NOTIFIERS notifiers. The registrant registers a waker
 * (any of WAKERS, changing between rounds), loads the wake condition (flag, a
 * counter of notifications), and then either takes what was notified (and
 * may Unregister) or parks on its waker's token; it stops once it has seen
 * every notification. A lost wake-up leaves it parked for ever: SPIN reports
 * an invalid end state. With -DPANIC waker 3 panics: the notifier that calls
 * it dies on the spot; the registrant, which cannot be woken through it,
 * polls, and every later registration of another waker must still be woken.
 * At the end no lock bit may be left set; -DNO_END_CHECK leaves that check
 * out, to show what a lock left set leads to.
 *
 * -DBROKEN_DROP_REQUEST: a notifier that finds the lock held with a waker
 * registered returns instead of asking the holder for one more delivery. The
 * holder then wakes the waker it copied, so a wake-up is lost only when the
 * registrant registered another waker meanwhile: the configurations with
 * WAKERS=1 cannot catch it, those with several wakers do.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DPANIC" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3 -DWAKERS=1" cc="-DSAFETY" run="-m10000 -w21"
//@check: defines="-DNOTIFIERS=3 -DWAKERS=2" cc="-DSAFETY -DCOLLAPSE" run="-m10000 -w22"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_NO_WITHDRAW" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_DROP_REQUEST" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_DROP_REQUEST -DNOTIFIERS=3 -DWAKERS=3" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_WAKE_LOCKED -DPANIC" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_WAKE_LOCKED -DPANIC -DNO_END_CHECK" cc="-DSAFETY" run="-m10000 -w20"

#ifndef NOTIFIERS
#define NOTIFIERS 2
#endif
#ifndef WAKERS
#define WAKERS 3
#endif
#ifdef PANIC
#define PANICKY 3
#else
#define PANICKY 0 /* no waker panics */
#endif

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
bit tok[WAKERS + 1]; /* tok[w]: the token of waker w (a Parker) */

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
#ifndef BROKEN_NO_WITHDRAW
			/* And(^(REGISTERED|NOTIFICATION)), keeping the old value */
			d_step { st = state; state = state & ~(REGISTERED | NOTIFICATION); INVARIANT }
#else
			skip /* write the idle slot while a notifier may switch to it */
#endif
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

/* The notifier's call of w.Wake(): a panicking waker kills the notifier. */
inline wake(w) {
	assert(w != 0);
	if
	:: w == PANICKY -> goto done
	:: else -> tok[w] = 1
	fi
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
#ifndef BROKEN_DROP_REQUEST
			next = st | NOTIFICATION
#else
			goto done /* drop the request instead of asking the holder */
#endif
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
#ifdef BROKEN_WAKE_LOCKED
		wake(w); /* upstream: wake under the lock */
#endif
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
#ifndef BROKEN_WAKE_LOCKED
	wake(w)
#endif
}

proctype Notifier() {
	byte st, next, w;
	bit ok;
#ifdef BROKEN_FASTPATH
	st = state; /* the fast-path load before the condition store */
	flag++;
#else
	flag++;
	st = state; /* fast path: a single Load */
#endif
	if
	:: (st & REGISTERED) == 0 -> goto done
	:: else
	fi;
	dw_notify_slow();
done:
	atomic { st = 0; next = 0; w = 0; ok = 0 } /* dead: keep the state small */
}

proctype Registrant() {
	byte w, st, r, cur, f, seen;
	do
	:: seen == NOTIFIERS -> break
	:: else ->
		d_step { st = 0; r = 0; cur = 0; f = 0 } /* dead: keep the state small */
		if
		:: w = 1
		:: WAKERS >= 2 -> w = 2
		:: WAKERS >= 3 -> w = 3
		fi;
		dw_register(w);
		f = flag;
		if
		:: f > seen ->
			seen = f;
			if
			:: dw_unregister()
			:: skip
			fi
		:: f == seen && w == PANICKY -> skip /* cannot be woken: poll */
		:: f == seen && w != PANICKY -> atomic { tok[w] == 1 -> tok[w] = 0 }
		fi
	od
}

init {
	byte i;
	atomic {
		run Registrant();
		do
		:: i < NOTIFIERS -> run Notifier(); i++
		:: else -> break
		od
	}
end:
	_nr_pr == 1;
#ifndef NO_END_CHECK
	assert(holder == NOBODY && (state & (LOCKED | NOTIFICATION)) == 0)
#endif
}
