/*
 * notify: the permit / waiter hand-off of notify/notify.go and
 * notify/notified.go, step for step.
 *
 * W waiters each take one token from a counter and wait on the Notify when
 * the counter is empty: even ones through Notify.Wait (permit fast path, then
 * a registration), odd ones through a Notified handle taken before
 * re-checking the counter, which then waits, or selects on Ready beside
 * another case and cancels (a receive consumed the token, or the select was
 * lost and the notification must be passed on). Notifications wake the
 * handles they take out of the list under the mutex. A waiter that leaves tokens behind calls NotifyOne:
 * permits do not add up, so consumers sharing a Notify pass the baton. A
 * waiter may give up waiting (its ctx ends) up to CANCELS times, then starts
 * over or leaves for good, leaving its token to nobody. W notifiers each add
 * one token and call NotifyOne or NotifyLast.
 *
 * Configurations: by default one more process calls NotifyAll, which adds
 * nothing; with LEAVER, a leaver instead waits once without taking a token
 * and may give up, so that a notification that chose it must find another
 * waiter (tokio #4618); with ALLFAST every waiter goes through Notify.Wait
 * and its permit fast path, and NOALL leaves NotifyAll out, so that three
 * waiters fit in CI's time (bitstate).
 *
 * Each sync/atomic operation on the state word is one step; the mutex is a
 * flag taken and released atomically; the waiter list and the handles' kind
 * fields, guarded by the mutex, change in d_step blocks. A handle's token
 * (waitlist.Token, a channel of capacity 1 whose send never blocks) is a
 * bit.
 *
 * Checked:
 *   - no lost wake-up: every run ends with every waiter that stayed holding
 *     a token (a waiter parked forever is an invalid end state);
 *   - state is WAITING exactly when the list is non-empty, whenever the mutex
 *     is released;
 *   - a handle is woken at most once per registration, never after it went
 *     back to the pool, and goes back with no token in its channel;
 *   - each permit is taken at most once (a ghost flag, set where a permit is
 *     stored and cleared, with an assertion, where one is taken).
 */

//@check: cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DCANCELS=2" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@check: defines="-DW=1 -DLEAVER -DCANCELS=2" cc="-DSAFETY -DCOLLAPSE" run="-m200000"
//@broken: defines="-DW=1 -DLEAVER -DBROKEN_4618" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_3652" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_ENTER" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_NOCONSUME" cc="-DSAFETY" run="-m200000"
//@check: defines="-DW=3 -DALLFAST -DNOALL -DCANCELS=0" cc="-DSAFETY -DBITSTATE" run="-m200000 -w29"
//@broken: defines="-DW=3 -DALLFAST -DNOALL -DCANCELS=0 -DBROKEN_TAKE" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_STORE" cc="-DSAFETY" run="-m200000"
//@broken: defines="-DBROKEN_WAKEAFTER" cc="-DSAFETY" run="-m200000"

#ifndef W
#define W 2
#endif
#ifndef CANCELS
#define CANCELS 1
#endif
/* ALLFAST: every waiter goes through Notify.Wait (default: the odd ones
 * through a Notified handle) */
#ifdef ALLFAST
#undef ALLFAST
#define ALLFAST 1
#else
#define ALLFAST 0
#endif

#define EMPTY    0
#define WAITING  1
#define NOTIFIED 2

#define K_NONE  0
#define K_FIRST 1
#define K_LAST  2
#define K_ALL   3

#define NONE 255

byte state = EMPTY;
bool locked = false;
#define H (W + 1)        /* handles: one per waiter, and the leaver's */
byte q[H];               /* the waiter list, oldest first */
byte qlen = 0;
byte kind[H];            /* per handle, guarded by the mutex */
bit token[H];            /* per handle: its token */
bool pooled[H];          /* the handle is back in the pool */
byte tokens = 0;         /* the condition the waiters check */
byte finished = 0;       /* waiters that took their token */
byte quits = 0;          /* waiters that gave up for good */
byte notified = 0;       /* notifiers done */
bool permit = false;     /* ghost: a permit is stored and not yet taken */

inline lock() {
	atomic { !locked -> locked = true }
}

inline unlock() {
	atomic {
		assert((state == WAITING) == (qlen > 0));
		locked = false
	}
}

inline wake(h) {
	assert(!pooled[h] && token[h] == 0);
	token[h] = 1
}

/*
 * A Go "switch state.Load()" is an if whose guards read state: the guards
 * are evaluated in one state, as one load. A CompareAndSwap is an option
 * "atomic { state == old -> state = new }" with an else for its failure.
 * Temporaries are reset after use so that stale values do not multiply the
 * states.
 */

/* unlink(h): remove h from the list; leaving WAITING if it was the last */
inline unlink(h) {
	d_step {
		i = 0;
		do
		:: q[i] == h -> break
		:: else -> i++
		od;
		do
		:: i + 1 < qlen -> q[i] = q[i + 1]; i++
		:: else -> break
		od;
		qlen--;
		q[qlen] = 0;
		i = 0
	};
	if
	:: qlen == 0 -> state = EMPTY
	:: else
	fi
}

/* notifyLocked(k): take the first (last) handle out and wake it, under the
 * mutex (BROKEN_WAKEAFTER: into next, woken by wakeNext after unlocking, as
 * the code once did), or store the permit */
inline notifyLocked(k) {
	if
	:: qlen == 0 -> d_step { state = NOTIFIED; permit = true }
	:: else ->
		if
		:: k == K_LAST -> next = q[qlen - 1]
		:: else -> next = q[0]
		fi;
		unlink(next);
		kind[next] = k;
#ifndef BROKEN_WAKEAFTER
		wake(next);
		next = NONE
#endif
	fi
}

/* wakeNext: nothing to do, but in BROKEN_WAKEAFTER */
inline wakeNext() {
	if
	:: next != NONE -> wake(next); next = NONE
	:: else
	fi
}

/* Notify.Notified: register me, or take the permit */
inline register() {
	atomic { !locked -> locked = true; pooled[me] = false };
	do
	:: atomic { state == NOTIFIED -> state = EMPTY; take() };
		kind[me] = K_FIRST;
		wake(me);
		break
	:: state == WAITING -> d_step { q[qlen] = me; qlen++ }; break
#ifdef BROKEN_ENTER
	/* a store instead of a CAS: overwrites a permit stored meanwhile */
	:: state == EMPTY -> state = WAITING; d_step { q[qlen] = me; qlen++ }; break
#else
	:: atomic { state == EMPTY -> state = WAITING };
		d_step { q[qlen] = me; qlen++ };
		break
#endif
	od;
	unlock()
}

/* Notify.withdraw: the handle gives up (or, after a receive from Ready,
 * is cancelled), leaving nothing behind. Taken out of the list, it was woken
 * under the mutex: TryPark finds its token unless a receive consumed it. */
inline withdraw() {
	atomic { !locked -> locked = true; k = kind[me] };
	if
	:: k == K_NONE -> unlink(me)
	:: k == K_FIRST || k == K_LAST ->
		if
		:: token[me] == 1 -> token[me] = 0;   /* TryPark: not delivered */
#ifndef BROKEN_4618
			notifyLocked(k)   /* pass it on */
#else
			skip
#endif
		:: else   /* a receive from Ready took it */
		fi
	:: k == K_ALL ->
#ifndef BROKEN_NOCONSUME
		token[me] = 0   /* TryPark: dropped */
#else
		skip
#endif
	fi;
#ifdef BROKEN_3652
	/* clears the state whatever it is: a permit stored meanwhile is lost */
	if
	:: qlen == 0 -> state = EMPTY
	:: else
	fi;
#endif
	unlock();
	wakeNext();
	k = 0
}

inline release() {
	d_step {
		assert(token[me] == 0);
		kind[me] = K_NONE;
		pooled[me] = true
	}
}

/* take: the ghost side of taking the permit; each permit is taken once */
inline take() {
	assert(permit);
	permit = false
}

/* Notify.takePermit, inside Waiter: a load of NOTIFIED, then a CAS from
 * NOTIFIED (BROKEN_TAKE: a plain store of EMPTY, so that two takers that
 * both loaded NOTIFIED both take the one permit); on success, back to the
 * counter */
inline takePermit() {
	if
	:: state == NOTIFIED ->
		if
#ifdef BROKEN_TAKE
		:: d_step { state = EMPTY; take() }; goto loop
#else
		:: atomic { state == NOTIFIED -> state = EMPTY; take() }; goto loop
		:: else
#endif
		fi
	:: else
	fi
}

/* NotifyOne (kd == K_FIRST) or NotifyLast (kd == K_LAST) */
inline notifyOne(kd) {
	if
	:: state == NOTIFIED   /* the fast path: one load */
	:: else ->
		do
		:: state == NOTIFIED -> break
#ifdef BROKEN_STORE
		/* a store instead of a CAS from EMPTY: overwrites a WAITING
		 * entered since the load */
		:: state == EMPTY -> d_step { state = NOTIFIED; permit = true }; break
#else
		:: atomic { state == EMPTY -> state = NOTIFIED; permit = true }; break
#endif
		:: state == WAITING ->
			lock();
			notifyLocked(kd);
			unlock();
			wakeNext();
			break
		od
	fi
}

proctype Waiter(byte me) {
	byte k, i;
	byte next = NONE;
	byte cancels = 0;
loop:
	if
	:: atomic { tokens > 0 -> tokens-- } ->
		/* more tokens left: pass the baton, as consumers sharing a Notify
		 * must (permits do not add up) */
		if
		:: tokens > 0 -> notifyOne(K_FIRST)
		:: else
		fi;
		goto done
	:: else
	fi;
	if
	:: me % 2 == 0 || ALLFAST ->
		/* Notify.Wait: the permit fast path (a load, then a CAS) */
		takePermit();
		/* unless others wait (a load), yield, then the permit again */
		if
		:: state != WAITING -> takePermit()
		:: else
		fi;
		/* then Notified().Wait */
		register()
	:: me % 2 == 1 && !ALLFAST ->
		/* h := Notified(); if tokens > 0 { h.Cancel() } else { h.Wait() } */
		register();
		if
		:: tokens > 0 -> withdraw(); release(); goto loop
		:: else
		fi;
		/* or select on h.Ready() beside another case, then h.Cancel():
		 * a receive consumes the token; a lost select (up to CANCELS
		 * times) must pass a notification that chose it on */
		if
		:: true   /* h.Wait, below */
		:: true ->
			if
			:: atomic { token[me] == 1 -> token[me] = 0 };
				withdraw(); release(); goto loop
			:: atomic { cancels < CANCELS -> cancels++ };
				withdraw(); release();
				if
				:: goto loop
				:: goto quit
				fi
			fi
		fi
	fi;
	/* Wait: park until the token arrives, or give up while it has not */
	if
	:: atomic { token[me] == 1 -> token[me] = 0 }
	:: atomic { cancels < CANCELS && token[me] == 0 -> cancels++ };
		withdraw();
		release();
		if
		:: goto loop
		:: goto quit   /* gives up for good */
		fi
	fi;
	release();
	goto loop;
done:
	finished++;
	goto end;
quit:
	quits++;
end:
	skip
}

/* A goroutine that waits once and takes no token. Woken, it passes the
 * baton on like any consumer that leaves tokens behind; giving up, it relies
 * on withdraw: a notification that chose it must not leave with it. */
proctype Leaver(byte me) {
	byte k, i;
	byte next = NONE;
	register();
	if
	:: atomic { token[me] == 1 -> token[me] = 0 };
		release();
		notifyOne(K_FIRST)
	:: atomic { token[me] == 0 -> skip };
		withdraw();
		release()
	fi
}

proctype Notifier(byte kd) {
	byte i;
	byte next = NONE;
	tokens++;
	notifyOne(kd);
	notified++
}

proctype NotifyAller() {
	byte woken[H];
	byte n = 0, i = 0;
	if
	:: state != WAITING -> goto end   /* the fast path: one load */
	:: else
	fi;
	lock();
	d_step {
		do
		:: i < qlen -> kind[q[i]] = K_ALL; woken[i] = q[i]; q[i] = 0; i++
		:: else -> break
		od;
		n = qlen;
		qlen = 0;
		i = 0
	};
	if
	:: n > 0 -> state = EMPTY
	:: else
	fi;
	/* woken under the mutex (BROKEN_WAKEAFTER: after unlocking) */
#ifndef BROKEN_WAKEAFTER
	do
	:: i < n -> wake(woken[i]); i++
	:: else -> break
	od;
	unlock();
#else
	unlock();
	do
	:: i < n -> wake(woken[i]); i++
	:: else -> break
	od;
#endif
end:
	skip
}

init {
	byte i;
	atomic {
		i = 0;
		do
		:: i < W -> pooled[i] = true; run Waiter(i); i++
		:: else -> break
		od;
#ifdef LEAVER
		pooled[W] = true;
		run Leaver(W);
#endif
		i = 0;
		do
		:: i < W && i % 2 == 0 -> run Notifier(K_FIRST); i++
		:: i < W && i % 2 == 1 -> run Notifier(K_LAST); i++
		:: else -> break
		od;
#if !defined(LEAVER) && !defined(NOALL)
		run NotifyAller()
#endif
	}
	(finished + quits == W && notified == W);
	assert(tokens == quits)
}
