/*
 * The unbounded mpsc queue (internal/mpscq/list.go): claims by
 * fetch-and-add, segments linked by CAS, and the close that freezes the
 * last segment with one CAS that also records its counted claims.
 *
 * Each segment s (1..NSEG-1; 0 is nil) has
 *   claims[s], closed[s], frozen[s]  its claim word (bits 0-39, 63, 40-62),
 *                                     always read and written together
 *   next[s]                           the following segment
 *   seq[s*SIZE+i], val[s*SIZE+i]      its slots; seq == s once written
 * tail is the producers' hint; nseg hands out new segments (the Go code's
 * allocation). The closed sentinel is a segment frozen at 0.
 *
 * Producer, TryEnqueue: load tail; then per segment one fetch-and-add
 * (atomic: read the word, add 1 to claims); a counted claim (closed clear,
 * claims < SIZE) writes val and publishes seq, and if it was the segment's
 * first claim links the next segment (load next; if nil, link a new segment
 * with a CAS, or drop it); closed with frozen < SIZE reports Closed;
 * anything else advances (link as above, or load the next linked; CAS
 * tail). -DNO_EAGER_LINK leaves out the
 * link on a first claim.
 *
 * Closer, Close: the CAS of the closed flag (List.closed), which only tells
 * the caller whether it was first; then, whatever its outcome, freezeLast:
 * from tail, freeze each segment (the Load + CAS loop of segment.freeze,
 * whose successful CAS is one atomic step: closed := 1, frozen :=
 * min(claims, SIZE); a segment frozen already is left as it is); frozen
 * short of full ends it; otherwise link a sentinel after a full last
 * segment with a CAS, or walk to next. -DCLOSERS=2 runs two closers at once;
 * -DBROKEN_EARLY_RETURN has the one that loses the flag's CAS return at
 * once, as the code did.
 *
 * Consumer, TryDequeue: load head, then read; the slot is p = read -
 * first(head) (first = (no-1)*SIZE, no the segment's number along the
 * list, set when it is allocated, and for the sentinel before each CAS that
 * links it); read seq; if written, read the value and release with a CAS of
 * read from the value loaded (a lost CAS is Conflict: nothing received);
 * else status from one load of the word: Busy if the slot is claimed (end >
 * p, end = frozen when closed, claims otherwise), Closed if closed, Empty
 * otherwise; at the end of a segment move head to next with a CAS (lost:
 * Conflict), or Empty if nil; a p past the end (a pair from two consumers)
 * is Conflict. With -DBATCH the consumer may instead take DequeueBatch of up
 * to two values: read slots from (head, p) on, following next across
 * segment ends, then one CAS of read, then move head from the segment it
 * started in to the one it stopped in (CAS; on failure from where head is
 * now). On Busy and Empty it waits until the slot is written or that
 * status, read or head changes (in Go, the receiver parks on its WakeSink
 * and every enqueue and the close notify it; mpsc_close.pml checks that
 * part). -DCONSUMERS=2 runs two consumers at once, the misuse that
 * Conflict reports; -DBROKEN_STORE_RELEASE releases with a plain store.
 *
 * Checked: no value is received twice (ghost recvd, even by two
 * consumers); no counted claim is made twice (a slot is written once); a send
 * that began after some Close had returned does not succeed (ghost
 * closeReturned, read at the send's first step); once
 * every process is done, each value whose enqueue returned OK was dequeued
 * exactly once and none other, and the consumer saw Closed; no process
 * blocks for ever (invalid end states): a consumer waiting on a claimed slot
 * nobody will write, or on a segment nobody will link, is caught.
 */
//@check: defines="" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DSIZE=1 -DCOUNT2=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DCLOSERS=2 -DCOUNT1=1 -DCOUNT2=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DNO_EAGER_LINK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_EARLY_RETURN -DCLOSERS=2 -DCOUNT1=1 -DCOUNT2=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_OR_CLOSE" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_ADVANCE_BY_CLAIMS -DSIZE=1 -DCOUNT2=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_NO_SENTINEL -DSIZE=1 -DCOUNT2=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_SKIP_ON_LINK" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DCONSUMERS=2 -DCOUNT1=2 -DCOUNT2=0 -DSIZE=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@check: defines="-DCONSUMERS=2 -DBATCH -DCOUNT1=1 -DCOUNT2=0 -DSIZE=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_STORE_RELEASE -DCONSUMERS=2 -DCOUNT1=1 -DCOUNT2=0 -DSIZE=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"
//@broken: defines="-DBROKEN_STORE_RELEASE -DCONSUMERS=2 -DBATCH -DCOUNT1=1 -DCOUNT2=0 -DSIZE=1" cc="-DSAFETY -DCOLLAPSE" run="-m100000"

#ifndef SIZE
#define SIZE 2
#endif
#ifndef COUNT1
#define COUNT1 2  /* values the first producer sends */
#endif
#ifndef COUNT2
#define COUNT2 2  /* values the second producer sends */
#endif
#ifndef CLOSERS
#define CLOSERS 1 /* goroutines calling Close */
#endif
#ifndef CONSUMERS
#define CONSUMERS 1 /* goroutines dequeuing: 2 is the misuse Conflict detects */
#endif
#define NSEG 8
#define NV 5   /* values 1..4 */

#define OK 0
#define EMPTY 2
#define BUSY 3
#define CLOSED 4

byte claims[NSEG];
bit closed[NSEG];
byte frozen[NSEG];
byte next[NSEG];
byte seq[NSEG * SIZE];
byte val[NSEG * SIZE];

byte tail = 1;
byte nseg = 2;  /* segment 1 exists; 0 is nil */

bit flag;       /* List.closed: set by the first Close's CAS */

byte no[NSEG];       /* segment.no: its number along the list */
bit sentinel[NSEG];  /* the closed sentinel: one slot */
byte head = 1;       /* List.head: the consumer's segment */
byte read;           /* List.read: values dequeued in all */
byte cdone;          /* consumers that saw Closed */

bit sentOK[NV];
byte recvd[NV];
byte done;
bit closeReturned;  /* ghost: some Close has returned */

/* Where a segment's counted claims end, as the consumer reads it. */
#ifdef BROKEN_OR_CLOSE
/* The close as a plain Or of the bit, with the consumer ending a closed
 * segment at its claim count, which adds after the close keep bumping. */
#define END(s) (claims[s])
#else
#define END(s) (closed[s] -> frozen[s] : claims[s])
#endif
#define STATUS(s, p) (END(s) > p -> BUSY : (closed[s] -> CLOSED : EMPTY))

/* A new segment for the caller, to follow seg (the Go code allocates one
 * numbered seg.no+1). */
inline newSegment(n, seg) {
	atomic { assert(nseg < NSEG); n = nseg; nseg++; no[n] = no[seg] + 1 }
}

/* List.link: nx := the segment after seg, linking a new one if none. */
inline link(seg) {
	nx = next[seg];
	if
	:: nx == 0 ->
		newSegment(n, seg);
		atomic {
			if
			:: next[seg] == 0 -> next[seg] = n; nx = n
			:: else -> nx = next[seg]  /* another producer, or Close, linked first */
			fi
		};
		n = 0
	:: else -> skip
	fi
}

/* List.advance: the segment after the full segment seg. */
inline advance(seg) {
	link(seg);
	atomic { if :: tail == seg -> tail = nx :: else -> skip fi };
	seg = nx;
	nx = 0
}

/* List.TryEnqueue(v) -> st; late: a Close had returned when it began */
inline tryEnqueue(v, st) {
	atomic { late = closeReturned; seg = tail };
	do
	:: atomic { oc = claims[seg]; ocl = closed[seg]; ofr = frozen[seg]; claims[seg]++ };
		if
		:: !ocl && oc < SIZE ->
			assert(seq[seg * SIZE + oc] != seg);  /* no slot is claimed twice */
			val[seg * SIZE + oc] = v;
			seq[seg * SIZE + oc] = seg;
			st = OK;
#ifndef NO_EAGER_LINK
			if
			:: oc == 0 -> link(seg)  /* the first claim links the next segment */
			:: else -> skip
			fi;
#endif
			break
#ifdef BROKEN_ADVANCE_BY_CLAIMS
		/* a closed segment is told apart from a full one by its claim count */
		:: ocl && oc < SIZE -> st = CLOSED; break
#else
		:: ocl && ofr < SIZE -> st = CLOSED; break
#endif
		:: else -> advance(seg)
		fi
	od;
	seg = 0; oc = 0; ocl = 0; ofr = 0
}

proctype Producer(byte firstV; byte count) {
	byte i, v, st, seg, oc, ofr, nx, n;
	bit ocl, late;
	do
	:: i == count -> break
	:: else ->
		v = firstV + i;
		i++;
		tryEnqueue(v, st);
		if
		:: st == OK ->
			assert(!late);  /* a send that began after a Close returned fails */
			sentOK[v] = 1
		:: else -> skip
		fi;
		late = 0
	od;
	done++
}

proctype Closer() {
	byte seg, nx, n, s;
	bit isShort, first;
	atomic { first = !flag; flag = 1 };  /* closed.CompareAndSwap(false, true) */
#ifdef BROKEN_EARLY_RETURN
	/* the Close that lost the CAS returns before the winner froze anything */
	if
	:: !first -> goto returned
	:: else -> skip
	fi;
#endif
	/* freezeLast */
	seg = tail;
	do
	:: atomic {  /* segment.freeze */
			if
			:: !closed[seg] ->
				closed[seg] = 1;
				frozen[seg] = (claims[seg] < SIZE -> claims[seg] : SIZE)
			:: else -> skip
			fi;
			isShort = (frozen[seg] < SIZE)
		};
		if
		:: isShort -> break
		:: else ->
			nx = next[seg];
			if
			:: nx == 0 ->
#ifdef BROKEN_NO_SENTINEL
				break  /* the last segment is full: nothing to freeze */
#else
				if
				:: s == 0 ->
					newSegment(s, seg);
					atomic { closed[s] = 1; frozen[s] = 0; sentinel[s] = 1 }
				:: else -> skip
				fi;
				no[s] = no[seg] + 1;  /* numbered after seg, whichever this is */
				atomic {
					if
					:: next[seg] == 0 -> next[seg] = s; isShort = 1
					:: else -> nx = next[seg]
					fi
				};
				if
				:: isShort -> break
				:: else -> skip
				fi
#endif
			:: else -> skip
			fi;
			seg = nx
		fi
	od;
#ifdef BROKEN_EARLY_RETURN
returned:
#endif
	closeReturned = 1;
	done++
}

/* The consumer's position: slot read - first(head) of head (List.dequeue). */
#define FIRST(s) ((no[s] - 1) * SIZE)
#define LEN(s) (sentinel[s] -> 1 : SIZE)

/* A value received: the ghost check that none is received twice. */
inline receive(x) {
	assert(recvd[x] == 0);
	recvd[x]++
}

/* Park until the slot is written or what the consumer saw changes (in Go,
 * the receiver parks on its WakeSink and every enqueue and the close notify
 * it; mpsc_close.pml checks that part). */
#define PARK(s, p, r, st) (seq[s * SIZE + p] == s || STATUS(s, p) != st || read != r || head != s)

/* List.TryDequeue (single) or List.DequeueBatch of up to two values
 * (-DBATCH); loops until Closed. A Conflict, or a Busy / Empty after its
 * park, tries again. */
proctype Consumer() {
	byte seg, first, r, st, v, w, i, n, nx;
	int p;
	bit won;
	do
	::
#if CONSUMERS == 1
		/* One consumer: nobody else touches head and read, so their loads
		 * are one step (fewer states, the same behaviours). */
		atomic { seg = head; r = read; p = r - FIRST(seg) };
#else
		seg = head;  /* head, then read */
		r = read;
		p = r - FIRST(seg);
#endif
		if
#ifdef BATCH
		:: p <= LEN(seg) ->  /* DequeueBatch: read on across segments, CAS read, then move head */
			first = seg;
			n = 0;
			do
			:: n == 2 -> break
			:: n < 2 && p == LEN(seg) ->
				nx = next[seg];
				if
				:: nx == 0 -> break
				:: else -> seg = nx; p = 0; nx = 0
				fi
			:: n < 2 && p < LEN(seg) ->
				i = seg * SIZE + p;
				if
				:: seq[i] == seg ->
					if :: n == 0 -> v = val[i] :: else -> w = val[i] fi;
					n++;
					p++
				:: else -> break
				fi
			od;
			if
			:: n == 0 && p == LEN(seg) -> (next[seg] != 0 || read != r || head != first)  /* Empty */
			:: n == 0 && p < LEN(seg) ->
				st = STATUS(seg, p);
				if
				:: st == CLOSED -> break
				:: else -> PARK(seg, p, r, st)
				fi
			:: n > 0 ->
#ifdef BROKEN_STORE_RELEASE
				atomic { read = r + n; won = 1 };
#else
				atomic { won = (read == r); if :: won -> read = r + n :: else -> skip fi };
#endif
				if
				:: won ->
					receive(v);
					if :: n == 2 -> receive(w) :: else -> skip fi;
					/* move head from first on to seg */
					nx = first;
					do
					:: no[nx] >= no[seg] -> break
					:: else ->
						atomic { if :: head == nx -> head = seg; nx = seg :: else -> nx = head fi }
					od
				:: else -> skip  /* Conflict */
				fi
			fi;
			n = 0; v = 0; w = 0; won = 0; nx = 0; first = 0
#endif
		:: p < LEN(seg) ->  /* TryDequeue */
			i = seg * SIZE + p;
			if
			:: seq[i] == seg ->
				v = val[i];
#ifdef BROKEN_STORE_RELEASE
				atomic { read = r + 1; won = 1 };
#else
				atomic { won = (read == r); if :: won -> read = r + 1 :: else -> skip fi };
#endif
				if
				:: won -> receive(v)
				:: else -> skip  /* Conflict */
				fi;
				v = 0; won = 0
#ifdef BROKEN_SKIP_ON_LINK
			/* the next segment is linked, so this one must be done: wrong
			 * once the first claim links it */
			:: seq[i] != seg && next[seg] != 0 ->
				atomic { if :: head == seg -> head = next[seg]; read = FIRST(head) :: else -> skip fi }
#endif
			:: else ->
				st = STATUS(seg, p);
				if
				:: st == CLOSED -> break
				:: else -> PARK(seg, p, r, st)
				fi
			fi
		:: p == LEN(seg) ->  /* nextSegment */
			nx = next[seg];
			if
			:: nx != 0 -> atomic { if :: head == seg -> head = nx :: else -> skip fi }  /* else Conflict */
			:: else -> (next[seg] != 0 || read != r || head != seg)  /* Empty: park until a segment is linked */
			fi;
			nx = 0
		:: p > LEN(seg) -> skip  /* Conflict: head and read from two consumers' moves */
		fi;
		atomic { i = 0; p = 0; st = 0; r = 0 }
	od;
	/* Closed: once every other process is done, each value sent is here once. */
	atomic { cdone++; v = cdone };
	if
	:: v == CONSUMERS ->
		done == 2 + CLOSERS;
		v = 1;
		do
		:: v == NV -> break
		:: else -> assert(recvd[v] == sentOK[v]); v++
		od
	:: else -> skip
	fi
}

init {
	atomic {
		run Producer(1, COUNT1);
		run Producer(3, COUNT2);
		run Closer();
#if CLOSERS == 2
		run Closer();
#endif
		run Consumer();
#if CONSUMERS == 2
		run Consumer();
#endif
		no[1] = 1
	}
}
