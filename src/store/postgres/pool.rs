//! A small blocking connection pool that serves waiters first come, first served.
//!
//! At most `max` connections are open; a thread that finds none idle and no room to open
//! another waits in a queue, and a connection given back goes straight to the thread that
//! has waited longest. A plain mutex-and-condvar pool lets a thread that just arrived take
//! a freed connection ahead of one that has waited, and under load (many clients, few
//! connections) those unlucky waiters are the latency tail.
//!
//! The pool holds connections of any type and knows nothing of PostgreSQL: opening one is
//! the caller's job (see [`Slot::Open`]), so a slow connect never holds the pool's lock.
//! A waiter may give up after a while ([`TakeError::TimedOut`]): then nobody is handed
//! anything for it, and the connection goes to the next in line.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

pub(crate) struct Pool<C> {
    max: usize,
    state: Mutex<State<C>>,
}

struct State<C> {
    idle: Vec<C>,
    /// Connections idle, lent out, or being opened by a caller that got [`Slot::Open`].
    open: usize,
    /// Threads waiting, oldest first, by ticket; each gets exactly one [`Slot`].
    waiters: VecDeque<(u64, SyncSender<Slot<C>>)>,
    /// The next waiter's ticket.
    next_ticket: u64,
}

/// What a caller of [`Pool::take`] gets.
pub(crate) enum Slot<C> {
    /// A connection to use (check that it still works), then [`Pool::give_back`].
    Idle(C),
    /// Room for one more: open a connection, then `give_back(Some(..))` when done, or
    /// `give_back(None)` if it could not be opened.
    Open,
}

/// Why [`Pool::take`] gave nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TakeError {
    /// The pool's lock was poisoned by a panic in another thread.
    Poisoned,
    /// Nothing came free within this long.
    TimedOut(Duration),
}

impl<C> Pool<C> {
    pub(crate) fn new(max: usize) -> Pool<C> {
        Pool {
            max: max.max(1),
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
                waiters: VecDeque::new(),
                next_ticket: 0,
            }),
        }
    }

    /// An idle connection, room to open one, or (when neither) the next one given back,
    /// in the order the callers asked — waiting at most `timeout` (None: no limit).
    pub(crate) fn take(&self, timeout: Option<Duration>) -> Result<Slot<C>, TakeError> {
        let (ticket, wait): (u64, Receiver<Slot<C>>) = {
            let mut state = self.state.lock().map_err(|_| TakeError::Poisoned)?;
            // Someone waiting already comes first: take only what nobody queues for.
            if state.waiters.is_empty() {
                if let Some(conn) = state.idle.pop() {
                    return Ok(Slot::Idle(conn));
                }
                if state.open < self.max {
                    state.open += 1;
                    return Ok(Slot::Open);
                }
            }
            let (handoff, wait) = sync_channel(1);
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.waiters.push_back((ticket, handoff));
            (ticket, wait)
        };
        // The sender lives in the queue until a connection (or a slot) is handed over.
        let Some(timeout) = timeout else {
            return wait.recv().map_err(|_| TakeError::Poisoned);
        };
        match wait.recv_timeout(timeout) {
            Ok(slot) => Ok(slot),
            Err(RecvTimeoutError::Disconnected) => Err(TakeError::Poisoned),
            Err(RecvTimeoutError::Timeout) => {
                // Leave the queue. Hand-overs happen under the lock, so once it is held
                // either this waiter is still queued (and now removed) or its slot is
                // already in the channel: then take it after all.
                let mut state = self.state.lock().map_err(|_| TakeError::Poisoned)?;
                state.waiters.retain(|(t, _)| *t != ticket);
                drop(state);
                wait.try_recv().map_err(|_| TakeError::TimedOut(timeout))
            }
        }
    }

    /// Gives a connection back (`Some`), or its slot when it broke or could not be
    /// opened (`None`): to the longest waiter if there is one.
    pub(crate) fn give_back(&self, conn: Option<C>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let mut slot = match conn {
            Some(conn) => Slot::Idle(conn),
            None => Slot::Open,
        };
        while let Some((_, waiter)) = state.waiters.pop_front() {
            // A waiter whose thread is gone hands the slot on to the next.
            match waiter.send(slot) {
                Ok(()) => return,
                Err(returned) => slot = returned.0,
            }
        }
        match slot {
            Slot::Idle(conn) => state.idle.push(conn),
            Slot::Open => state.open = state.open.saturating_sub(1),
        }
    }

    /// Takes every idle connection out of the pool (their slots free again), for the
    /// caller to close outside the pool's lock: one connection found broken means the
    /// database went away, and every connection that idled meanwhile is broken too.
    pub(crate) fn take_idle(&self) -> Vec<C> {
        let Ok(mut state) = self.state.lock() else {
            return Vec::new();
        };
        let idle = std::mem::take(&mut state.idle);
        state.open = state.open.saturating_sub(idle.len());
        idle
    }

    /// Adds a connection opened outside the pool (counted as open from now on).
    pub(crate) fn adopt(&self, conn: C) {
        if let Ok(mut state) = self.state.lock() {
            state.open += 1;
        }
        self.give_back(Some(conn));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)] // a failing test should stop loudly
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn opens_up_to_max_then_reuses() {
        let pool = Pool::new(2);
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        pool.give_back(Some(7));
        match pool.take(None).unwrap() {
            Slot::Idle(conn) => assert_eq!(conn, 7),
            Slot::Open => panic!("the pool opened a third connection"),
        }
    }

    #[test]
    fn a_broken_connection_frees_its_slot() {
        let pool: Pool<u32> = Pool::new(1);
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        pool.give_back(None);
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
    }

    #[test]
    fn the_idle_connections_can_be_taken_out_and_their_slots_reopened() {
        let pool: Pool<u32> = Pool::new(2);
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        pool.give_back(Some(1));
        assert_eq!(pool.take_idle(), vec![1]);
        assert!(pool.take_idle().is_empty());
        // One is still lent out; the slot of the one taken out opens anew.
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        assert!(matches!(
            pool.take(Some(Duration::from_millis(10))),
            Err(TakeError::TimedOut(_))
        ));
    }

    #[test]
    fn a_waiter_gives_up_after_its_timeout_and_the_next_one_is_served() {
        let pool: Pool<u32> = Pool::new(1);
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        let started = std::time::Instant::now();
        let waited = pool.take(Some(Duration::from_millis(50)));
        assert!(matches!(waited, Err(TakeError::TimedOut(_))));
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(pool.state.lock().unwrap().waiters.is_empty());
        // The one given back is not lost to the waiter that left.
        pool.give_back(Some(3));
        match pool.take(Some(Duration::from_millis(50))).unwrap() {
            Slot::Idle(conn) => assert_eq!(conn, 3),
            Slot::Open => panic!("the pool opened a second connection"),
        }
    }

    #[test]
    fn waiters_are_served_in_the_order_they_came() {
        let pool: Arc<Pool<u32>> = Arc::new(Pool::new(1));
        assert!(matches!(pool.take(None).unwrap(), Slot::Open));
        let (done, finished) = std::sync::mpsc::channel();
        let mut threads = Vec::new();
        for i in 0..5u32 {
            let shared = pool.clone();
            let done = done.clone();
            threads.push(std::thread::spawn(move || {
                let Slot::Idle(conn) = shared.take(None).unwrap() else {
                    panic!("got a slot to open while one connection is lent out");
                };
                done.send(i).unwrap();
                shared.give_back(Some(conn));
            }));
            // Each thread queues before the next one starts.
            while pool.state.lock().unwrap().waiters.len() < (i + 1) as usize {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        // A newcomer does not jump the queue even when a connection is idle for a moment.
        pool.give_back(Some(42));
        for thread in threads {
            thread.join().unwrap();
        }
        let order: Vec<u32> = finished.try_iter().collect();
        assert_eq!(order, vec![0, 1, 2, 3, 4]);
    }
}
