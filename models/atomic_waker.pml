/*
 * AtomicWaker (waker/atomic_waker.go): the REGISTERING / WAKING /
 * REGISTERED state word and its single waker slot.
 *
 * One Promela step per sync/atomic operation of the Go code; a plain read or
 * write of the slot (an interface value, two words) is two steps, and an
 * access that overlaps a write fails an assertion.
 *
 * Default mode: one registrant and NOTIFIERS notifiers. The registrant
 * registers a waker (any of WAKERS, changing between rounds), loads the wake
 * condition (flag, a counter of notifications), and parks on its waker's
 * token when nothing new was notified; it stops once it has seen every
 * notification. A lost wake-up leaves it parked for ever: SPIN reports an
 * invalid end state. With -DPANIC waker 3 panics: the notifier that calls it
 * dies on the spot; the registrant, which cannot be woken through it, polls.
 *
 * -DREGISTRANTS=2: two registrants register concurrently (each with its own
 * waker, or the same one with -DWAKERS=1) against one notifier's Wake. After
 * every Register, and at the end, each registrant's waker is registered,
 * woken, or replaced by a later registration.
 *
 * -DREFUSE: once, a Register holding the lock finds its waker not comparable
 * (it differs from the slot's) and refuses it: it releases the lock to the
 * state it took it from, delivering for a Wake that came in meanwhile, and
 * panics; the registrant recovers, does not park on that waker, and goes on.
 * -DBROKEN_REFUSE_LOCKED panics with the lock held, as the runtime's
 * comparison panic did before the check.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DPANIC" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3 -DWAKERS=1" cc="-DSAFETY" run="-m10000 -w21"
//@check: defines="-DREGISTRANTS=2 -DREPS=3" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DREGISTRANTS=2 -DREPS=2 -DNOTIFIERS=2" cc="-DSAFETY" run="-m10000 -w21"
//@check: defines="-DREGISTRANTS=2 -DREPS=3 -DWAKERS=1" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DREGISTRANTS=2 -DBROKEN_SILENT_LOSER" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_IGNORE_WAKING" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DREFUSE" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DREFUSE -DPANIC" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DREFUSE -DBROKEN_REFUSE_LOCKED" cc="-DSAFETY" run="-m10000 -w20"

#ifndef REGISTRANTS
#define REGISTRANTS 1
#endif
#ifndef NOTIFIERS
#if REGISTRANTS == 1
#define NOTIFIERS 2
#else
#define NOTIFIERS 1
#endif
#endif
#ifndef REPS
#define REPS 1
#endif
#ifndef WAKERS
#if REGISTRANTS == 1
#define WAKERS 3
#else
#define WAKERS 2
#endif
#endif
#ifdef PANIC
#define PANICKY 3
#else
#define PANICKY 0 /* no waker panics */
#endif

#define REGISTERING 1
#define WAKING 2
#define REGISTERED 4
#define NOBODY 255

byte state;     /* AtomicWaker.state */
byte slot;      /* AtomicWaker.slot: a waker id, 0 = nil */
bit writing;    /* a write of slot is in flight */
byte readers;   /* reads of slot in flight */
byte holder = NOBODY; /* ghost: the _pid of the slot lock's holder */
byte flag;      /* the wake condition: notifications made so far */
bit tok[WAKERS + 1]; /* tok[w]: the token of waker w (a Parker) */

/* Registrant i's waker and fate in REGISTRANTS=2 mode. */
#define PENDING 0
#define REG 1
#define DONE 2
#define WK(i) (WAKERS == 1 -> 1 : (i) + 1)
byte fate[REGISTRANTS];
bit refusals; /* -DREFUSE: refusals made so far (at most one) */

inline read_slot(v) {
	d_step { assert(holder == _pid && !writing); readers++ };
	d_step { v = slot; readers-- }
}

inline write_slot(v) {
	d_step { assert(holder == _pid && !writing && readers == 0); writing = 1 };
	d_step { slot = v; writing = 0 }
}

/* Ghost: the Or that finds neither lock bit takes the slot lock... */
inline lock_if_free(prev) {
	if
	:: (prev & (REGISTERING | WAKING)) == 0 -> assert(holder == NOBODY); holder = _pid
	:: else
	fi
}

/* ...and the holder alone releases it. */
inline unlock() {
	assert(holder == _pid);
	holder = NOBODY
}

/* Ghost: waker w is woken, so every registration of w is done. */
inline woken(w) {
	tok[w] = 1;
#if REGISTRANTS > 1
	if :: WK(0) == w -> fate[0] = DONE :: else fi;
	if :: WK(1) == w -> fate[1] = DONE :: else fi
#endif
}

/* Ghost: the slot held v and is overwritten: v's registration is replaced. */
inline superseded(v) {
#if REGISTRANTS > 1
	if :: WK(0) == v && fate[0] == REG -> fate[0] = DONE :: else fi;
	if :: WK(1) == v && fate[1] == REG -> fate[1] = DONE :: else fi
#else
	skip
#endif
}

/* w.Wake() called by Register itself: a panic there is the caller's own. */
inline self_wake(w) {
	if
	:: w != PANICKY -> d_step { woken(w) }
	:: else
	fi
}

/* Register(w), step by step. me: the registrant's index (ghost). */
inline aw_register(me, w) {
	d_step { prev = state; state = state | REGISTERING; lock_if_free(prev) };
	if
	:: prev & REGISTERING ->
		/* another Register holds the lock */
#ifndef BROKEN_SILENT_LOSER
		self_wake(w)
#else
		skip /* upstream: give up silently */
#endif
#ifndef BROKEN_IGNORE_WAKING
	:: (prev & (REGISTERING | WAKING)) == WAKING ->
		/* a Wake holds the lock and resets the word when done */
		self_wake(w)
	:: (prev & (REGISTERING | WAKING)) == 0 ->
#else
	:: (prev & REGISTERING) == 0 -> /* ignores a Wake holding the lock */
#endif
		read_slot(cur);
#ifdef REFUSE
		if
		:: cur != w && refusals == 0 ->
			/* w is not comparable: refuse(w, prev) */
			refusals = 1; refused = 1;
#ifndef BROKEN_REFUSE_LOCKED
			d_step { /* CompareAndSwap(prev|REGISTERING, prev) */
				if
				:: state == (prev | REGISTERING) -> state = prev; unlock(); ok = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok
			:: else ->
				/* a Wake came in: deliver to the waker registered before */
				read_slot(cur);
				write_slot(0);
				d_step { state = 0; unlock() };
				if
				:: cur != 0 -> self_wake(cur)
				:: else
				fi
			fi;
#endif
			goto refusedRegister /* the panic */
		:: else
		fi;
#endif
		if
		:: cur != w -> write_slot(w); d_step { superseded(cur) }
		:: else
		fi;
		/* CompareAndSwap(prev|REGISTERING, REGISTERED) */
		d_step {
			if
			:: state == (prev | REGISTERING) ->
				state = REGISTERED; unlock(); ok = 1;
#if REGISTRANTS > 1
				if :: fate[me] == PENDING -> fate[me] = REG :: else fi
#endif
			:: else -> ok = 0
			fi
		};
		if
		:: ok
		:: else ->
			/* a Wake came in and left the wake to us */
			read_slot(cur);
			write_slot(0);
			d_step { state = 0; unlock() };
			self_wake(cur)
		fi
	fi;
refusedRegister: skip
}

/* Wake(): Take, then w.Wake() after the lock is released. */
inline aw_wake() {
	st = state; /* fast path: a single Load */
	if
	:: st == 0 -> goto done
	:: else
	fi;
	d_step { prev = state; state = state | WAKING; lock_if_free(prev) };
	if
	:: prev & (REGISTERING | WAKING) -> goto done
	:: else
	fi;
	read_slot(w);
	write_slot(0);
	d_step { state = 0; unlock() };
	if
	:: w == 0
	:: w != 0 && w == PANICKY -> goto done /* the waker panics: the notifier dies here */
	:: w != 0 && w != PANICKY -> d_step { woken(w) }
	fi
}

proctype Notifier() {
	byte st, prev, w;
#if REGISTRANTS == 1
#ifdef BROKEN_FASTPATH
	/* the fast-path load before the condition store */
	st = state;
	flag++;
	if
	:: st == 0 -> goto done
	:: else
	fi;
#else
	flag++;
#endif
#endif
	aw_wake();
done:
	atomic { st = 0; prev = 0; w = 0 } /* dead: keep the state small */
}

proctype Registrant(byte me) {
	byte w, prev, cur, f, seen, r;
	bit ok, refused;
#if REGISTRANTS == 1
	do
	:: seen == NOTIFIERS -> break
	:: else ->
		d_step { prev = 0; cur = 0; f = 0; ok = 0; refused = 0 } /* dead: keep the state small */
		if
		:: w = 1
		:: WAKERS >= 2 -> w = 2
		:: WAKERS >= 3 -> w = 3
		fi;
		aw_register(me, w);
		f = flag;
		if
		:: refused -> skip /* recovered from the panic: nothing registered, go on */
		:: !refused && f > seen -> seen = f
		:: !refused && f == seen && w == PANICKY -> skip /* cannot be woken: poll */
		:: !refused && f == seen && w != PANICKY -> atomic { tok[w] == 1 -> tok[w] = 0 }
		fi
	od
#else
	w = WK(me);
	do
	:: r < REPS ->
		fate[me] = PENDING;
		aw_register(me, w);
		assert(fate[me] != PENDING); /* registered or woken */
		r++
	:: else -> break
	od
#endif
}

init {
	byte i;
	atomic {
		i = 0;
		do
		:: i < REGISTRANTS -> run Registrant(i); i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < NOTIFIERS -> run Notifier(); i++
		:: else -> break
		od
	}
end:
	_nr_pr == 1;
	assert(holder == NOBODY && (state & (REGISTERING | WAKING)) == 0);
	assert((state & REGISTERED) == 0 || slot != 0);
#if REGISTRANTS > 1
	i = 0;
	do
	:: i < REGISTRANTS ->
		assert(fate[i] == DONE || (fate[i] == REG && slot == WK(i) && (state & REGISTERED)));
		i++
	:: else -> break
	od
#endif
}
