import Foundation
import LLMCore
import LLMTesting
import Resilience
import Synchronization

/// `llm-bench resilience-sim [--clients 200] [--capacity 50] [--duration 180] [--outage-start 60] [--outage 30]
/// [--attempts 5] [--seed 1] [--json]`
///
/// A seeded discrete-event simulation in virtual time: `clients` clients each send a request every
/// 10 s on average (Poisson) for `duration` seconds to a provider that serves `capacity` calls at
/// once (1 + Exp(1) s each; a call over capacity gets an immediate 503) and is down — every call
/// a 503 after 100 ms — for `outage` seconds from `outage-start`. Each request goes through our
/// `Retrier` (its real `decide`, so real jitter, Retry-After and budget logic) and optionally our
/// `CircuitBreaker` (its real state machine, on a clock the simulation sets). Reports, per jitter
/// mode with and without the retry budget and the breaker: provider calls, calls during the
/// outage, the share of requests that succeeded, and p50/p99 request completion time.
func runResilienceSimulation(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let settings = SimulationSettings(
        clients: try arguments.int("clients", default: 200),
        capacity: try arguments.int("capacity", default: 50),
        duration: Double(try arguments.int("duration", default: 180)),
        outageStart: Double(try arguments.int("outage-start", default: 60)),
        outageLength: Double(try arguments.int("outage", default: 30)),
        attempts: try arguments.int("attempts", default: 5),
        seed: UInt64(try arguments.int("seed", default: 1)))
    var report = Report(json: json)
    for jitter in [RetryPolicy.Jitter.none, .full, .decorrelated] {
        for (budget, breaker) in [(false, false), (true, false), (false, true), (true, true)] {
            let outcome = try simulate(settings, jitter: jitter, budget: budget, breaker: breaker)
            report.add(Measurement(fields: [
                ("bench", .text("resilience-sim")), ("library", .text("ours")), ("jitter", .text("\(jitter)")),
                ("budget", .text(budget ? "yes" : "no")), ("breaker", .text(breaker ? "yes" : "no")),
                ("requests", .integer(outcome.requests)), ("succeeded_percent", .number(outcome.successPercent)),
                ("calls", .integer(outcome.calls)), ("calls_in_outage", .integer(outcome.callsInOutage)),
                ("p50_s", .number(outcome.p50)), ("p99_s", .number(outcome.p99)),
            ]))
        }
    }
    report.printTable()
}

struct SimulationSettings {
    var clients: Int
    var capacity: Int
    var duration: Double
    var outageStart: Double
    var outageLength: Double
    var attempts: Int
    var seed: UInt64
    /// Mean seconds between one client's requests.
    var meanInterval = 10.0
}

private struct SimulationOutcome {
    var requests = 0
    var succeeded = 0
    var calls = 0
    var callsInOutage = 0
    var completionTimes: [Double] = []

    var successPercent: Double { requests == 0 ? 0 : 100 * Double(succeeded) / Double(requests) }
    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }

    private func percentile(_ p: Double) -> Double {
        let sorted = completionTimes.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))]
    }
}

/// A clock the simulation moves by hand; nothing sleeps on it (the simulation schedules waits itself).
final class SimulationClock: Clock, Sendable {
    private let time = Mutex(Duration.zero)
    /// The simulated time.
    var now: ManualClock.Instant { ManualClock.Instant(offset: time.withLock { $0 }) }
    /// Exact.
    var minimumResolution: Duration { .zero }
    /// Moves time to `seconds`.
    func set(_ seconds: Double) { time.withLock { $0 = .seconds(seconds) } }
    /// Never used: simulated waits are events, not sleeps.
    func sleep(until deadline: ManualClock.Instant, tolerance: Duration?) async throws { throw CancellationError() }
}

/// Holds a breaker permit between a call's start and end events.
private final class PermitSlot {
    var permit: CircuitBreaker.Permit?
}

private struct Event: Comparable {
    enum Kind {
        case attempt(request: Int)
        case finished(request: Int, error: LLMError?, heldCapacity: Bool)
    }

    var time: Double
    var sequence: Int
    var kind: Kind

    static func < (lhs: Event, rhs: Event) -> Bool { (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence) }
    static func == (lhs: Event, rhs: Event) -> Bool { lhs.time == rhs.time && lhs.sequence == rhs.sequence }
}

/// A binary min-heap of events.
private struct EventQueue {
    private var heap: [Event] = []
    private var sequence = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func schedule(at time: Double, _ kind: Event.Kind) {
        sequence += 1
        heap.append(Event(time: time, sequence: sequence, kind: kind))
        var child = heap.count - 1
        while child > 0, heap[child] < heap[(child - 1) / 2] {
            heap.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    mutating func next() -> Event {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                var smallest = parent
                for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count && heap[child] < heap[smallest] {
                    smallest = child
                }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}

private func exponential(mean: Double, using random: inout SeededRandomNumberGenerator) -> Double {
    -mean * log(1 - Double.random(in: 0..<1, using: &random))
}

private func simulate(
    _ settings: SimulationSettings, jitter: RetryPolicy.Jitter, budget useBudget: Bool, breaker useBreaker: Bool
) throws -> SimulationOutcome {
    let clock = SimulationClock()
    let policy = RetryPolicy(
        maxAttempts: settings.attempts, initialDelay: .seconds(1), multiplier: 2, maximumDelay: .seconds(16), jitter: jitter)
    let retrier = try Retrier(
        policy: policy, budget: useBudget ? RetryBudget(maxTokens: 10, tokenRatio: 0.1) : nil, clock: clock,
        random: SeededRandomNumberGenerator(seed: settings.seed &+ 7))
    let breaker = useBreaker
        ? try CircuitBreaker(
            name: "provider",
            configuration: CircuitBreakerConfiguration(
                slidingWindow: .time(.seconds(10), buckets: 10), failureRateThreshold: 0.5, minimumCalls: 20,
                openDuration: .fixed(.seconds(5)), halfOpenProbes: 3),
            clock: clock)
        : nil

    var arrivalsRandom = SeededRandomNumberGenerator(seed: settings.seed)
    var serviceRandom = SeededRandomNumberGenerator(seed: settings.seed &+ 1)
    var queue = EventQueue()
    var arrival: [Double] = []
    for _ in 0..<settings.clients {
        var time = exponential(mean: settings.meanInterval, using: &arrivalsRandom)
        while time < settings.duration {
            queue.schedule(at: time, .attempt(request: arrival.count))
            arrival.append(time)
            time += exponential(mean: settings.meanInterval, using: &arrivalsRandom)
        }
    }
    var attempt = [Int](repeating: 1, count: arrival.count)
    var previousDelay = [Duration](repeating: policy.initialDelay, count: arrival.count)
    let permits = (0..<arrival.count).map { _ in PermitSlot() }
    var outcome = SimulationOutcome(requests: arrival.count)
    var inFlight = 0
    let overloaded = LLMError(kind: .overloaded, message: "503", httpStatus: 503)

    func complete(_ request: Int, at time: Double, succeeded: Bool) {
        outcome.completionTimes.append(time - arrival[request])
        if succeeded { outcome.succeeded += 1 }
    }

    while !queue.isEmpty {
        let event = queue.next()
        let time = event.time
        clock.set(time)
        switch event.kind {
        case .attempt(let request):
            if let breaker {
                do {
                    permits[request].permit = try breaker.acquirePermit()
                } catch {
                    complete(request, at: time, succeeded: false)  // circuitOpen is final
                    continue
                }
            }
            outcome.calls += 1
            if time >= settings.outageStart, time < settings.outageStart + settings.outageLength {
                outcome.callsInOutage += 1
                queue.schedule(at: time + 0.1, .finished(request: request, error: overloaded, heldCapacity: false))
            } else if inFlight >= settings.capacity {
                queue.schedule(at: time + 0.05, .finished(request: request, error: overloaded, heldCapacity: false))
            } else {
                inFlight += 1
                let service = 1 + exponential(mean: 1, using: &serviceRandom)
                queue.schedule(at: time + service, .finished(request: request, error: nil, heldCapacity: true))
            }
        case .finished(let request, let error, let heldCapacity):
            if heldCapacity { inFlight -= 1 }
            guard let error else {
                permits[request].permit.take()?.succeeded()
                retrier.budget?.recordSuccess()
                complete(request, at: time, succeeded: true)
                continue
            }
            permits[request].permit.take()?.failed(error)
            let decision = retrier.decide(
                after: error, failedAttempt: attempt[request], elapsed: .seconds(time - arrival[request]),
                previousDelay: previousDelay[request])
            switch decision {
            case .retry(let delay):
                attempt[request] += 1
                previousDelay[request] = delay
                queue.schedule(at: time + delay.secondsValue, .attempt(request: request))
            case .stop:
                complete(request, at: time, succeeded: false)
            }
        }
    }
    return outcome
}

extension Duration {
    /// The duration in seconds.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
