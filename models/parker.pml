/*
 * Parker (waker/parker.go): a binary semaphore whose token lives in the
 * atomic state word (pEmpty, pToken, pParked, pChan) and goes through the
 * channel of capacity 1 (here a Promela chan [1]) only to wake a Park that is
 * blocked, or once C has switched the Parker to channel mode.
 *
 * One Promela step per sync/atomic operation (Load, CompareAndSwap) and per
 * channel operation; a Go select is an if whose branches are its ready
 * cases, and a select with a default tests len(ch) in the same step as the
 * receive or send. Wakes (a bounded number) run concurrently with one parking
 * goroutine, which calls Park (with a context that may end while it is
 * blocked, up to CANCELS times, or with context.Background, whose Done is
 * nil), TryPark, C (once, at any point) and receives from C.
 *
 * Ghost state, the abstract semaphore: abs is its token, set where a Wake
 * takes effect (its successful CAS to pToken, its Load of pToken, its send in
 * channel mode) and cleared where the parking goroutine takes it; handed is
 * the token a Wake gives straight to the blocked Park (its CAS from pParked).
 * The checks:
 *   - Wake never blocks: a blocking send asserts that the channel is empty.
 *   - A consume finds the abstract token (abs, or handed for the blocked
 *     Park): no token out of nothing, and Wakes coalesce into one token.
 *   - A Park or TryPark that starts while the token is stored (a Wake made
 *     before it) succeeds; a Park that returns ctx.Err() was handed nothing,
 *     so the token it did not take stays for the next Park or TryPark.
 *   - No lost wake-up: by default WAKES Wakes, each made only once the
 *     previous token was consumed (a handshake), so the consumer must take
 *     exactly WAKES tokens. With -DCOALESCE, WAKERS Wakes run at once, each
 *     after adding to a counter that the consumer reads before parking, as
 *     WakeSink.Wait does. A lost wake-up leaves the consumer blocked for
 *     ever: SPIN reports an invalid end state.
 *   - The panics ("concurrent Park", "C called while a Park is blocked")
 *     never happen to one parking goroutine.
 * With -DC_GOROUTINE, C is called once by a goroutine of its own while the
 * parking goroutine keeps calling Park and TryPark (C's panic on pParked is
 * then the end of that goroutine, not an error): a broken variant showing
 * why C belongs to the parking goroutine (see waker.md).
 */
//@check: defines="" cc="-DSAFETY" run="-m100000"
//@check: defines="-DWAKES=4 -DCANCELS=4" cc="-DSAFETY" run="-m100000"
//@check: defines="-DCOALESCE" cc="-DSAFETY" run="-m100000"
//@check: defines="-DCOALESCE -DWAKERS=3 -DCANCELS=3" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_STORE" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_CANCEL_NO_CAS" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_CANCEL_NO_RECV" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_SEND_FIRST" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_TRYPARK_NO_CHAN" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_C_DROPS" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DCOALESCE -DBROKEN_C_BLOCKING_SEND" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DCOALESCE -DBROKEN_CHAN_BLOCKING_SEND" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DCOALESCE -DC_GOROUTINE" cc="-DSAFETY" run="-m100000"

#ifndef WAKES
#define WAKES 2   /* handshake mode: Wakes made one after the other */
#endif
#ifndef WAKERS
#define WAKERS 2  /* -DCOALESCE: concurrent Wakes, one each */
#endif
#ifndef CANCELS
#define CANCELS 2 /* Parks whose ctx ends while they wait */
#endif

#define PEMPTY 0
#define PTOKEN 1
#define PPARKED 2
#define PCHAN 3

byte state;                /* Parker.state */
chan ch = [1] of { bit };  /* Parker.ch */

bit abs;    /* ghost: the abstract token is stored */
bit handed; /* ghost: a Wake gave the token to the blocked Park */

byte acked;  /* handshake: tokens the consumer took */
byte wstart; /* handshake: Wakes started */
byte posted; /* -DCOALESCE: the wake condition, added to before each Wake */

/* The token is stored in the state word only as the abstract token. */
#define INVARIANT assert(state != PTOKEN || abs)

/* A Wake takes effect: the token is stored (coalescing with one there). */
#define WAKE_TAKES_EFFECT abs = 1; INVARIANT

/* A send that Go would block on must find the channel empty. */
inline send_never_blocks() {
	atomic { assert(len(ch) == 0); ch!1 }
}

/* Wake(). */
inline wake() {
	do
	:: atomic { s = state; INVARIANT }; /* Load */
		if
		:: s == PTOKEN -> break /* coalesce with the stored token */
		:: s == PEMPTY ->
			d_step { /* CompareAndSwap(pEmpty, pToken) */
				if
				:: state == PEMPTY -> state = PTOKEN; ok = 1; WAKE_TAKES_EFFECT
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> break
			:: else
			fi
		:: s == PPARKED ->
#if defined(BROKEN_STORE)
			/* Store(pToken), no send: the blocked Park is not woken */
			d_step { state = PTOKEN; WAKE_TAKES_EFFECT };
			break
#elif defined(BROKEN_SEND_FIRST)
			/* send, then CAS: the Park may withdraw between the two */
			send_never_blocks();
			d_step {
				if
				:: state == PPARKED -> state = PEMPTY; ok = 1; handed = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> break
			:: else
			fi
#else
			d_step { /* CompareAndSwap(pParked, pEmpty) */
				if
				:: state == PPARKED ->
					state = PEMPTY; ok = 1;
					assert(!abs && !handed); handed = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok -> send_never_blocks(); break /* p.ch <- struct{}{} */
			:: else
			fi
#endif
		:: s == PCHAN ->
#ifdef BROKEN_CHAN_BLOCKING_SEND
			atomic { send_never_blocks(); WAKE_TAKES_EFFECT };
#else
			atomic { /* select { case p.ch <- struct{}{}: default: } */
				if
				:: len(ch) == 0 -> ch!1
				:: else
				fi;
				WAKE_TAKES_EFFECT
			};
#endif
			break
		fi
	od;
	atomic { s = 0; ok = 0 } /* dead */
}

/* CompareAndSwap(pToken, pEmpty) by the parking goroutine. */
inline take_stored() {
	d_step {
		if
		:: state == PTOKEN -> state = PEMPTY; ok = 1; assert(abs); abs = 0
		:: else -> ok = 0
		fi
	}
}

/* <-p.ch in parkSlow: the token a Wake handed to the blocked Park. */
inline recv_handed() {
	atomic { ch?_ -> assert(handed); handed = 0 }
}

/* A receive in channel mode. */
inline recv_chan() {
	atomic { ch?_ -> assert(abs); abs = 0 }
}

/* select { case <-p.ch: r = 1; default: r = 0 } in channel mode. */
inline try_recv_chan() {
	atomic {
		if
		:: len(ch) > 0 -> ch?_; assert(abs); abs = 0; r = 1
		:: else -> r = 0
		fi
	}
}

/* parkChan(ctx), result in r. */
inline park_chan(cancellable) {
	try_recv_chan();
	if
	:: r == 0 ->
		if /* select { case <-p.ch: case <-ctx.Done(): } */
		:: recv_chan(); r = 1
		:: cancellable && cancels < CANCELS ->
			cancels++;
			try_recv_chan() /* the token ready together with ctx wins */
		fi
	:: else
	fi
}

/* Park(ctx): r = 1 for nil, 0 for ctx.Err(). cancellable: ctx.Done() is not
 * nil, and ctx may end while Park waits. */
inline park(cancellable) {
	d_step { s = state; pre = abs }; /* fast path: Load */
	if
	:: s == PTOKEN -> take_stored()
	:: else -> ok = 0
	fi;
	if
	:: ok -> r = 1
	:: else ->
		/* parkSlow */
		do
		:: s = state; /* Load */
			if
			:: s == PTOKEN ->
				take_stored();
				if
				:: ok -> r = 1; break
				:: else
				fi
			:: s == PPARKED -> assert(false) /* panic: concurrent Park */
			:: s == PCHAN -> park_chan(cancellable); break
			:: s == PEMPTY ->
				d_step { /* CompareAndSwap(pEmpty, pParked) */
					if
					:: state == PEMPTY -> state = PPARKED; ok = 1
					:: else -> ok = 0
					fi
				};
				if
				:: !ok
				:: ok && !cancellable -> recv_handed(); r = 1; break
				:: ok && cancellable ->
					if /* select { case <-p.ch: case <-done: } */
					:: recv_handed(); r = 1; break
					:: cancels < CANCELS ->
						cancels++;
#ifdef BROKEN_CANCEL_NO_CAS
						r = 0; break /* return ctx.Err() without withdrawing */
#else
						d_step { /* CompareAndSwap(pParked, pEmpty) */
							if
							:: state == PPARKED -> state = PEMPTY; ok = 1
							:: else -> ok = 0
							fi
						};
						if
						:: ok -> r = 0; break /* withdrawn */
						:: else
						fi;
#ifdef BROKEN_CANCEL_NO_RECV
						r = 0; break /* ctx.Err() although a Wake is sending */
#else
						recv_handed(); r = 1; break /* the token wins */
#endif
#endif
					fi
				fi
			fi
		od
	fi;
	/* A token stored before Park began is taken; an error return was
	 * handed no token. */
	assert(r == 1 || (!pre && !handed))
}

/* TryPark(): r = 1 for true. */
inline try_park() {
	d_step { /* CompareAndSwap(pToken, pEmpty) */
		pre = abs;
		if
		:: state == PTOKEN -> state = PEMPTY; r = 1; assert(abs); abs = 0
		:: else -> r = 0
		fi
	};
	if
	:: r == 0 ->
		s = state; /* Load */
		if
#ifndef BROKEN_TRYPARK_NO_CHAN
		:: s == PCHAN -> try_recv_chan()
#endif
		:: else
		fi
	:: else
	fi;
	assert(r == 1 || !pre) /* a token stored before TryPark began is taken */
}

/* C(). */
inline c_switch() {
	do
	:: s = state; /* Load */
		if
		:: s == PCHAN -> break
		:: s == PPARKED ->
#ifdef C_GOROUTINE
			break /* panic: the misuse is caught */
#else
			assert(false) /* panic: C while a Park is blocked */
#endif
		:: else ->
			d_step { /* CompareAndSwap(s, pChan) */
				if
				:: state == s -> state = PCHAN; ok = 1
				:: else -> ok = 0
				fi
			};
			if
			:: ok ->
				if
				:: s == PTOKEN ->
					/* move the stored token (abs stays set) into ch */
#if defined(BROKEN_C_DROPS)
					skip
#elif defined(BROKEN_C_BLOCKING_SEND)
					ch!1
#else
					atomic { /* select { case p.ch <- struct{}{}: default: } */
						if
						:: len(ch) == 0 -> ch!1
						:: else
						fi
					}
#endif
				:: else
				fi;
				break
			:: else
			fi
		fi
	od
}

#ifdef C_GOROUTINE
proctype Switcher() {
	byte s;
	bit ok;
	c_switch()
}
#endif

/* One parking goroutine's call: Park(ctx), Park(context.Background()),
 * TryPark, C() once, or a receive from C; r = 1 when it took a token. */
inline consume() {
	if
	:: park(0)
	:: park(1)
	:: try_park()
#ifndef C_GOROUTINE
	:: !switched -> c_switch(); switched = 1; r = 0
	:: switched -> recv_chan(); r = 1 /* <-p.C() */
#endif
	fi
}

#ifndef COALESCE

/* Handshake: Wake number i+1 starts once i tokens were taken. */
proctype Waker() {
	byte s;
	bit ok;
	do
	:: atomic { wstart < WAKES && wstart == acked -> wstart++ }; wake()
	:: wstart == WAKES -> break
	od
}

proctype Consumer() {
	byte s, cancels;
	bit ok, r, pre, switched;
	do
	:: acked == WAKES -> break
	:: else ->
		consume();
		if
		:: r -> acked++
		:: else
		fi;
		d_step { s = 0; ok = 0; r = 0; pre = 0 } /* dead */
	od
}

#else

/* Concurrent Wakes, each after adding to the wake condition. */
proctype Waker() {
	byte s;
	bit ok;
	posted++;
	wake()
}

/* WakeSink.Wait's loop: check the condition, consume only if it showed
 * nothing new; stop once every Wake was seen. */
proctype Consumer() {
	byte s, cancels, seen;
	bit ok, r, pre, switched;
	do
	:: seen == WAKERS -> break
	:: else ->
		if
		:: posted > seen -> seen = posted
		:: else -> consume()
		fi;
		d_step { s = 0; ok = 0; r = 0; pre = 0 } /* dead */
	od
}

#endif

init {
	byte i;
	atomic {
		run Consumer();
#ifdef C_GOROUTINE
		run Switcher();
#endif
#ifdef COALESCE
		do
		:: i < WAKERS -> run Waker(); i++
		:: else -> break
		od
#else
		run Waker()
#endif
	}
end:
	_nr_pr == 1;
	/* what is left is the abstract token, and nothing was handed */
	assert(!handed && len(ch) + (state == PTOKEN) == abs)
}
