package api

import (
	"container/heap"
	"time"
)

// dueQueue orders objects by the time they fall due, earliest first: the
// payment codes and USSD OTPs the sweep expires. An entry remembers the
// time it was queued for; when an object's time changes (an update gives a
// payment code a new duration) it is queued again, and the sweep skips an
// entry whose time is no longer the object's.
type dueQueue[T any] []dueEntry[T]

type dueEntry[T any] struct {
	at  time.Time
	obj T
}

func (q dueQueue[T]) Len() int           { return len(q) }
func (q dueQueue[T]) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueQueue[T]) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue[T]) Push(x any)        { *q = append(*q, x.(dueEntry[T])) }
func (q *dueQueue[T]) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = dueEntry[T]{}
	*q = old[:len(old)-1]
	return e
}

// add queues obj to fall due at at.
func (q *dueQueue[T]) add(obj T, at time.Time) { heap.Push(q, dueEntry[T]{at: at, obj: obj}) }

// popDue takes the entries due at or before now, earliest first, calling
// fire on each.
func (q *dueQueue[T]) popDue(now time.Time, fire func(obj T, at time.Time)) {
	for q.Len() > 0 && !now.Before((*q)[0].at) {
		e := heap.Pop(q).(dueEntry[T])
		fire(e.obj, e.at)
	}
}
