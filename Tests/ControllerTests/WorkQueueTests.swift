import Testing

@testable import Controller

@Suite struct WorkQueueTests {
    static let a = PolicyKey(namespace: "ns", name: "a")
    static let b = PolicyKey(namespace: "ns", name: "b")

    @Test func deduplicatesWaitingKeys() async {
        let queue = WorkQueue(clock: ManualClock())
        await queue.add(Self.a)
        await queue.add(Self.b)
        await queue.add(Self.a)
        #expect(await queue.depth == 2)
        #expect(await queue.next() == Self.a)
        #expect(await queue.next() == Self.b)
    }

    @Test func neverHandsOutAKeyTwiceAtOnce() async {
        let queue = WorkQueue(clock: ManualClock())
        await queue.add(Self.a)
        #expect(await queue.next() == Self.a)
        await queue.add(Self.a)  // changed while being processed
        #expect(await queue.depth == 0)
        await queue.done(Self.a)
        #expect(await queue.depth == 1)
        #expect(await queue.next() == Self.a)
    }

    @Test func aWaitingWorkerGetsTheNextKey() async {
        let queue = WorkQueue(clock: ManualClock())
        async let got = queue.next()
        while await queue.waitingWorkers == 0 { await Task.yield() }
        await queue.add(Self.b)
        #expect(await got == Self.b)
        #expect(await queue.depth == 0)
    }

    @Test func backoffDoublesPerKeyAndIsForgotten() async {
        let queue = WorkQueue(clock: ManualClock())
        var delays: [Double] = []
        for _ in 0..<4 { delays.append(await queue.addRateLimited(Self.a)) }
        #expect(delays == [0.005, 0.01, 0.02, 0.04])
        #expect(await queue.addRateLimited(Self.b) == 0.005)
        await queue.forget(Self.a)
        #expect(await queue.addRateLimited(Self.a) == 0.005)
    }

    @Test func backoffIsCappedAt1000Seconds() {
        var backoff = ExponentialBackoff()
        var last = 0.0
        for _ in 0..<40 { last = backoff.next(Self.a) }
        #expect(last == 1000)
    }

    @Test func theGlobalBucketAllowsTenPerSecondAfterTheBurst() {
        var bucket = TokenBucket(rate: 10, burst: 100)
        for _ in 0..<100 { #expect(bucket.reserve(now: 0) == 0) }
        #expect(abs(bucket.reserve(now: 0) - 0.1) < 1e-9)
        #expect(abs(bucket.reserve(now: 0) - 0.2) < 1e-9)
        #expect(bucket.reserve(now: 10) == 0)  // refilled
    }

    @Test func delayedAddsArriveWhenTheClockPasses() async throws {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        await queue.add(Self.a, after: 5)
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(4)
        #expect(await queue.depth == 0)
        clock.advance(1)
        for _ in 0..<1000 where await queue.depth == 0 { await Task.yield() }
        #expect(await queue.depth == 1)
        #expect(await queue.next() == Self.a)
    }

    @Test func aServerRetryAfterLongerThanTheBackoffWins() async {
        let queue = WorkQueue(clock: ManualClock())
        #expect(await queue.addRateLimited(Self.a, atLeast: 3) == 3)
        #expect(await queue.addRateLimited(Self.a) == 0.01)  // the backoff still counts the failure
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let queue = WorkQueue(clock: ManualClock())
        async let got = queue.next()
        while await queue.waitingWorkers == 0 { await Task.yield() }
        await queue.shutDown()
        #expect(await got == nil)
        #expect(await queue.next() == nil)
    }
}
