/*
 * Set (waker/set.go): one owner goroutine waits on a set of sources; each
 * member's Wake pushes it onto the ready stack (a Treiber stack), and a push
 * onto the empty stack wakes the owner's Parker. The owner re-registers the
 * member it reported last, pops members (Swap of the whole stack, reversed
 * into its private FIFO), and parks only after it loaded the stack empty.
 *
 * One Promela step per sync/atomic operation; member.next is a plain field,
 * written and read in steps of their own. The owner's private reversal is
 * one atomic block (nobody else touches those fields then; the ghost check
 * below proves it).
 *
 * The sources are abstract, as the Source contract describes them: items[s]
 * is what a receive would take, reg[s] the member registered (0: none). A
 * producer adds an item (atomic), then takes the registration (an atomic
 * swap, as DiatomicWaker.Wake does) and wakes the member it took. Register
 * stores the registration, then checks items[s] and wakes the member itself
 * if a receive would succeed (SinkSource.Register). The Parker is abstract
 * too (parker.pml checks it): a token bit that Wake sets and Park takes,
 * blocking until it is there, or returns early up to CANCELS times (a
 * context that ends), consuming nothing.
 *
 * With -DREMOVE, the owner removes member 1 (source 0) after its first
 * report, and adds source 0 back as member NS+1: a wake of member 1 still
 * under way (the producer took its registration before the Unregister) must
 * be ignored, and member 1, perhaps still on the stack, dropped.
 *
 * The checks:
 *   - A member is on the lists at most once (onlist), and a member's next is
 *     never written while it is on the owner's private list (inlocal).
 *   - A reported member was not removed.
 *   - No lost wake-up: the owner stops only once it consumed every item; a
 *     lost report leaves it parked for ever, and SPIN reports an invalid end
 *     state. No item is consumed twice (the drain is a swap; the total is
 *     asserted at the end).
 */
//@check: defines="" cc="-DSAFETY" run="-m100000"
//@check: defines="-DREMOVE -DITEMS=2" cc="-DSAFETY" run="-m100000"
//@check: defines="-DITEMS=2 -DCANCELS=2" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DBROKEN_WAKE_NONEMPTY" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DITEMS=2 -DBROKEN_NO_REARM" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DITEMS=2 -DBROKEN_REGISTER_NO_CHECK" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DITEMS=2 -DBROKEN_IDLE_FIRST" cc="-DSAFETY" run="-m100000"
//@broken: defines="-DREMOVE -DITEMS=2 -DBROKEN_REMOVE_KEEPS_IDLE" cc="-DSAFETY" run="-m100000"

#ifndef ITEMS
#define ITEMS 1   /* items each producer adds */
#endif
#ifndef CANCELS
#define CANCELS 1 /* Parks whose ctx ends */
#endif

#define NS 2                  /* sources, one producer each */
#define NM (NS + 1)           /* members: one per source, and one re-added */
#define TOTAL (NS * ITEMS)

#define IDLE 0
#define QUEUED 1
#define REMOVED 2

byte items[NS];   /* the sources: what a receive would take */
byte reg[NS];     /* the member registered with each source, 0 for none */

byte mstate[NM + 1];  /* member.state; members are 1..NM */
byte msrc[NM + 1];    /* member.src */
byte next[NM + 1];    /* member.next */
byte head;            /* Set.ready */
bit token;            /* the owner's Parker */

bit onlist[NM + 1];   /* ghost: queued (pushed or about to be) */
bit inlocal[NM + 1];  /* ghost: on the owner's private list */
bit removed[NM + 1];  /* ghost: removed from the set */

byte lhead;           /* Set.local, the owner's private FIFO */
byte consumed;

/* member.Wake: a Load, a CAS from IDLE to QUEUED, then the push. */
inline member_wake(m, h, ok) {
	if
	:: mstate[m] == IDLE ->
		atomic {
			if
			:: mstate[m] == IDLE ->
				mstate[m] = QUEUED;
				assert(!onlist[m]);
				onlist[m] = 1;
				ok = 1
			:: else -> ok = 0
			fi
		}
		if
		:: ok ->
			do
			:: h = head;
			   assert(!inlocal[m]);
			   next[m] = h;
			   atomic {
				if
				:: head == h -> head = m; ok = 1
				:: else -> ok = 0
				fi
			   }
			   if
			   :: ok -> break
			   :: else -> skip
			   fi
			od;
#ifdef BROKEN_WAKE_NONEMPTY
			if
			:: h != 0 -> token = 1
			:: else -> skip
			fi
#else
			if
			:: h == 0 -> token = 1
			:: else -> skip
			fi
#endif
		:: else -> skip
		fi
	:: else -> skip
	fi
}

/* Source.Register(m): store the registration, then check and wake. */
inline register(s, m, h, ok) {
	reg[s] = m;
#ifndef BROKEN_REGISTER_NO_CHECK
	if
	:: items[s] > 0 -> member_wake(m, h, ok)
	:: else -> skip
	fi
#endif
}

proctype Producer(byte s) {
	byte w, h, ok, k;
	for (k : 1 .. ITEMS) {
		items[s]++;
		atomic { w = reg[s]; reg[s] = 0 };
		if
		:: w != 0 -> member_wake(w, h, ok)
		:: else -> skip
		fi
	}
}

proctype Owner() {
	byte last, m, r, t, n2, h, ok, cancels, s;
	bit didRemove;
	do
	:: consumed == TOTAL -> break
	:: else ->
		/* Wait: re-arm the member reported last. */
#ifndef BROKEN_NO_REARM
		if
		:: last != 0 -> m = last; last = 0; register(msrc[m], m, h, ok)
		:: else -> skip
		fi;
#endif
		r = 0;
		do
		:: r != 0 -> break
		:: r == 0 ->
			/* pop */
			if
			:: lhead == 0 ->
				if
				:: head == 0 ->
					/* Park, or a ctx that ends: back to the caller. */
					if
					:: atomic { token == 1 -> token = 0 }
					:: cancels < CANCELS -> cancels++; goto waited
					fi
				:: else ->
					atomic {
						t = head; head = 0;
						do
						:: t != 0 ->
							n2 = next[t];
							next[t] = lhead;
							inlocal[t] = 1;
							lhead = t;
							t = n2
						:: else -> break
						od
					}
				fi
			:: else ->
				t = lhead;
#ifdef BROKEN_IDLE_FIRST
				/* A Wake may now push t and write next[t]. */
				atomic {
					if
					:: mstate[t] == QUEUED -> mstate[t] = IDLE; onlist[t] = 0; r = t
					:: else -> skip
					fi
				}
				inlocal[t] = 0;
				lhead = next[t];
				next[t] = 0
#else
				lhead = next[t];
				next[t] = 0;
				inlocal[t] = 0;
				atomic {
					if
					:: mstate[t] == QUEUED -> mstate[t] = IDLE; onlist[t] = 0; r = t
					:: else -> onlist[t] = 0
					fi
				}
#endif
			fi
		od;
		/* Reported: drain it. */
		assert(!removed[r]);
		last = r;
		atomic { consumed = consumed + items[msrc[r]]; items[msrc[r]] = 0 };
#ifdef REMOVE
		if
		:: !didRemove && r == 1 -> /* at any report of member 1 */
			didRemove = 1;
#ifndef BROKEN_REMOVE_KEEPS_IDLE
			mstate[1] = REMOVED;
#endif
			removed[1] = 1;
			last = 0;
			reg[0] = 0; /* Unregister */
			/* Add source 0 again, as member NM. */
			msrc[NM] = 0;
			register(0, NM, h, ok)
		:: true -> skip
		fi;
#endif
waited:
		skip
	od;
	assert(consumed == TOTAL)
}

init {
	byte s;
	atomic {
		for (s : 0 .. NS - 1) {
			msrc[s + 1] = s;
			reg[s] = s + 1 /* Add: registered, and no source is ready yet */
		}
		run Owner();
		for (s : 0 .. NS - 1) {
			run Producer(s)
		}
	}
}
