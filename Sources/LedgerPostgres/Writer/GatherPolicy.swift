/// When the writer, having answered a batch's callers, waits a moment for them to append again
/// before it sends the next batch: PostgreSQL's `commit_delay` idea applied to group commit.
///
/// Callers that append again at once (a pipeline of appenders, a replay) settle into two
/// groups that alternate: one commits while the other gathers, and each batch pays the fixed
/// cost of a round trip and a WAL flush for half of them. Waiting for the callers just answered
/// merges the groups. Callers that come back slowly (HTTP requests, whose clients must first
/// read the answer and send another request) would only be delayed, so a wait that ran out
/// before they were all back turns gathering off for a number of batches that doubles with
/// each such wait in a row (1, 2, 4, … up to `maxBackoff`) and resets after a wait that filled.
struct GatherPolicy: Sendable {
    /// The longest wait; zero turns gathering off.
    let window: Duration
    /// The most batches sent without waiting after waits that ran out.
    let maxBackoff: Int
    private var backoff = 0
    private var skipped = 0
    private var waiting: (answered: Int, queued: Int)?

    init(window: Duration, maxBackoff: Int = 64) {
        self.window = window
        self.maxBackoff = maxBackoff
    }

    /// How many queued appends to wait for after a batch answered `answered` callers while
    /// `queued` appends were waiting; nil to take the next batch at once.
    mutating func target(answered: Int, queued: Int) -> Int? {
        waiting = nil
        guard window > .zero, answered > 1 else { return nil }
        if skipped > 0 {
            skipped -= 1
            return nil
        }
        waiting = (answered, queued)
        return answered + queued
    }

    /// Records how many appends were queued when the wait ended.
    mutating func record(queued: Int) {
        guard let waiting else { return }
        self.waiting = nil
        if queued < waiting.queued + waiting.answered {
            backoff = min(max(2 * backoff, 1), maxBackoff)
            skipped = backoff
        } else {
            backoff = 0
        }
    }
}
