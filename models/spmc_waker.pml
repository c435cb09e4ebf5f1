/*
 * SpmcWaker (waker/spmc_waker.go): two waker cells and the state word
 * 0 | 1 (registered in cells[i]), EMPTY|i (nothing registered, cells[i]
 * cached), WAKING (a Wake is reading the registered cell). The Go code stores
 * the state XOR EMPTY so that the zero value reads EMPTY|0; the model keeps
 * the decoded value.
 *
 * One Promela step per sync/atomic operation of the Go code; a plain read or
 * write of a cell (an interface value, two words) is two steps, and a read
 * that overlaps a write of the same cell fails an assertion.
 *
 * One registrant and NOTIFIERS notifiers. The registrant registers a waker
 * (any of WAKERS, changing between rounds), loads the wake condition (flag, a
 * counter of notifications), and then either takes what was notified (and
 * may Unregister), or, when Register reported false, re-checks at once, or
 * else parks on its waker's token; it stops once it has seen every
 * notification. A lost wake-up leaves it parked for ever: SPIN reports an
 * invalid end state. With -DPANIC waker 3 panics: the notifier that calls it
 * dies on the spot; the registrant, which cannot be woken through it, polls.
 */
//@check: defines="" cc="-DSAFETY" run="-m10000 -w20"
//@check: defines="-DNOTIFIERS=3 -DWAKERS=2" cc="-DSAFETY" run="-m10000 -w21"
//@check: defines="-DPANIC" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_FASTPATH" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_INPLACE" cc="-DSAFETY" run="-m10000 -w20"
//@broken: defines="-DBROKEN_CASFAIL_TRUE" cc="-DSAFETY" run="-m10000 -w20"

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

#define EMPTY 2
#define WAKING 4
#define NOBODY 255

byte state = EMPTY; /* SpmcWaker.state, decoded */
byte cell[2];       /* SpmcWaker.cells: waker ids, 0 = nil */
bit writing[2];     /* a write of cell[i] is in flight */
byte readers[2];    /* reads of cell[i] in flight */
byte holder = NOBODY; /* ghost: the _pid of the Wake holding WAKING */
byte flag;          /* the wake condition: notifications made so far */
bit tok[WAKERS + 1]; /* tok[w]: the token of waker w (a Parker) */

inline read_cell(i, v) {
	d_step { assert(!writing[i]); readers[i]++ };
	d_step { v = cell[i]; readers[i]-- }
}

inline write_cell(i, v) {
	d_step { assert(!writing[i] && readers[i] == 0); writing[i] = 1 };
	d_step { cell[i] = v; writing[i] = 0 }
}

/* Register(w); ok is its result. */
inline sp_register(w) {
	st = state; /* Load */
	cur = 0;
	if
	:: st < EMPTY -> read_cell(st, cur)
	:: else
	fi;
	if
	:: st < EMPTY && cur == w -> ok = 1 /* already registered */
	:: st == WAKING -> ok = 0
	:: st == EMPTY || st == (EMPTY | 1) ->
		/* nothing registered: no Wake reads the cells */
		if
		:: st == EMPTY -> read_cell(0, cur)
		:: else -> cur = 0
		fi;
		if
		:: st == EMPTY && cur == w -> skip /* the cached waker: no write */
		:: else ->
			write_cell(0, w);
			write_cell(1, 0)
		fi;
		state = 0; /* Store */
		ok = 1
	:: st < EMPTY && cur != w ->
#ifndef BROKEN_INPLACE
		next = 1 - st;
#else
		next = st; /* overwrite the registered cell in place */
#endif
		write_cell(next, w);
		/* CompareAndSwap(st, next) */
		d_step {
			if
			:: state == st -> state = next; ok = 1
			:: else -> ok = 0
			fi
		};
		if
		:: ok && next != st -> write_cell(st, 0)
		:: ok && next == st
		:: !ok ->
			write_cell(next, 0);
#ifdef BROKEN_CASFAIL_TRUE
			ok = 1 /* pretend the waker is registered */
#else
			skip
#endif
		fi
	fi
}

/* Unregister(): Load, then CompareAndSwap(st, EMPTY|st). */
inline sp_unregister() {
	st = state;
	if
	:: st < EMPTY -> d_step { if :: state == st -> state = EMPTY | st :: else fi }
	:: else
	fi
}

proctype Notifier() {
	byte st, w;
#ifdef BROKEN_FASTPATH
	st = state; /* the fast-path load before the condition store */
	flag++;
#else
	flag++;
	st = state; /* fast path: a single Load */
#endif
	if
	:: st >= EMPTY -> goto done
	:: else
	fi;
	/* CompareAndSwap(st, WAKING): the lock on cells[st] */
	d_step {
		if
		:: state == st -> state = WAKING; assert(holder == NOBODY); holder = _pid
		:: else
		fi
	};
	if
	:: holder != _pid -> goto done
	:: else
	fi;
	read_cell(st, w);
	assert(w != 0);
	d_step { state = EMPTY | st; holder = NOBODY }; /* Store */
	if
	:: w == PANICKY -> goto done /* the waker panics: the notifier dies here */
	:: else -> tok[w] = 1
	fi;
done:
	atomic { st = 0; w = 0 } /* dead: keep the state small */
}

proctype Registrant() {
	byte w, st, cur, next, f, seen;
	bit ok;
	do
	:: seen == NOTIFIERS -> break
	:: else ->
		d_step { st = 0; cur = 0; next = 0; f = 0 } /* dead: keep the state small */
		if
		:: w = 1
		:: WAKERS >= 2 -> w = 2
		:: WAKERS >= 3 -> w = 3
		fi;
		sp_register(w);
		f = flag;
		if
		:: f > seen ->
			seen = f;
			if
			:: sp_unregister()
			:: skip
			fi
		:: f == seen && (!ok || w == PANICKY) -> skip /* re-check at once */
		:: f == seen && ok && w != PANICKY -> atomic { tok[w] == 1 -> tok[w] = 0 }
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
	assert(holder == NOBODY && state != WAKING)
}
