import LLMTesting
import Testing

@Suite("ManualClock")
struct ManualClockTests {
    @Test("time moves only when advanced")
    func timeIsManual() async {
        let clock = ManualClock()
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        await clock.advance(by: .seconds(5))
        #expect(clock.now.offset == .seconds(5))
        await clock.advance(to: ManualClock.Instant(offset: .seconds(2)))  // never backward
        #expect(clock.now.offset == .seconds(5))
    }

    @Test("sleepers wake in deadline order, one step at a time")
    func deadlineOrder() async throws {
        let clock = ManualClock()
        let wakeTimes = Locked<[String: Duration]>([:])
        func sleeper(_ name: String, _ seconds: Int) -> Task<Void, any Error> {
            Task {
                try await clock.sleep(for: .seconds(seconds))
                wakeTimes.mutate { $0[name] = clock.now.offset }
            }
        }
        let late = sleeper("late", 30)
        let early = sleeper("early", 10)
        let middle = sleeper("middle", 20)
        await clock.waitForSleepers(count: 3)
        #expect(clock.nextDeadline?.offset == .seconds(10))

        await clock.advance(by: .seconds(15))
        try await early.value
        #expect(clock.sleeperCount == 2)
        #expect(clock.nextDeadline?.offset == .seconds(20))
        #expect(wakeTimes.value.keys.sorted() == ["early"])

        await clock.advance(by: .seconds(5))
        try await middle.value
        #expect(clock.sleeperCount == 1)

        await clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        await clock.advance(by: .seconds(1))
        try await late.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .seconds(30))
    }

    @Test("one long advance wakes every sleeper, in order, and ends at the target")
    func steppedAdvance() async throws {
        let clock = ManualClock()
        let observed = Locked<[Duration]>([])
        let sleepers = (1...5).reversed().map { seconds in
            Task {
                try await clock.sleep(for: .seconds(seconds * 10))
                return seconds
            }
        }
        await clock.waitForSleepers(count: 5)
        // Watch the clock at each wake-up from inside the sleepers' own deadlines.
        let watcher = Task {
            for step in 1...5 {
                try await clock.sleep(until: ManualClock.Instant(offset: .seconds(step * 10)))
                observed.mutate { $0.append(clock.now.offset) }
            }
        }
        await clock.waitForSleepers(count: 6)
        await clock.advance(by: .seconds(100))
        for sleeper in sleepers { _ = try await sleeper.value }
        #expect(clock.now.offset == .seconds(100))
        watcher.cancel()
        _ = await watcher.result
        let seen = observed.value
        // Every observation happened at or after the deadline it waited for, and in increasing order.
        #expect(seen == seen.sorted())
        for (index, value) in seen.enumerated() { #expect(value >= .seconds((index + 1) * 10)) }
    }

    @Test("a deadline already past returns at once")
    func pastDeadline() async throws {
        let clock = ManualClock(now: ManualClock.Instant(offset: .seconds(100)))
        try await clock.sleep(until: ManualClock.Instant(offset: .seconds(50)))
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test("cancelling a sleeping task wakes it with CancellationError and removes it")
    func cancellation() async {
        let clock = ManualClock()
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        let other = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.waitForSleepers(count: 2)
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 1)
        await clock.advance(by: .seconds(60))
        await #expect(throws: Never.self) { try await other.value }
    }

    @Test("a task cancelled before sleeping does not sleep")
    func cancelledBefore() async {
        let clock = ManualClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("a woken task can sleep again and be woken by the next advance")
    func chainedSleeps() async throws {
        let clock = ManualClock()
        let task = Task {
            try await clock.sleep(for: .seconds(10))
            try await clock.sleep(for: .seconds(10))
            return clock.now.offset
        }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(10))
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(10))
        #expect(try await task.value == .seconds(20))
    }
}
