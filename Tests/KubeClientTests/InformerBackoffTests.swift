import Testing

@testable import KubeClient

/// The informer's failure count: what grows the backoff and what starts it afresh.
struct InformerBackoffTests {
    typealias Watch = InformerBackoff.Watch
    static let quietFor2s = Watch(afterList: false, delivered: false, lasted: .seconds(2))
    static let deliveredSomething = Watch(afterList: false, delivered: true, lasted: .milliseconds(50))
    static let expiredAtOnce = Watch(afterList: true, delivered: false, lasted: .milliseconds(20))

    @Test func failuresInARowGrowAndAWatchThatWorkedStartsAfresh() {
        var backoff = InformerBackoff(minimumHealthyWatch: 5)
        backoff.failed(nil, expired: false)  // the list failed
        backoff.listed()
        backoff.failed(Self.quietFor2s, expired: false)  // dropped before it worked
        backoff.failed(Self.quietFor2s, expired: false)
        backoff.failed(Self.quietFor2s, expired: false)
        #expect(backoff.failures == 3)
        // A watch that delivered something and then drops or expires: failure 1, not 4.
        backoff.failed(Self.deliveredSomething, expired: false)
        #expect(backoff.failures == 1)
        backoff.failed(Self.quietFor2s, expired: false)
        backoff.failed(Watch(afterList: false, delivered: false, lasted: .seconds(6)), expired: true)  // open 6 s: it worked
        #expect(backoff.failures == 1)
    }

    @Test func aSuccessfulListStartsAfresh() {
        var backoff = InformerBackoff(minimumHealthyWatch: 5)
        for _ in 0..<4 { backoff.failed(Self.quietFor2s, expired: false) }
        backoff.failed(Self.quietFor2s, expired: true)
        #expect(backoff.failures == 5)
        backoff.listed()
        #expect(backoff.failures == 0)
        // The list's watch stays quiet (an idle collection) until the history is compacted 2 s later: failure 1.
        backoff.failed(Watch(afterList: true, delivered: false, lasted: .seconds(2)), expired: true)
        #expect(backoff.failures == 1 && !backoff.expiredAtOnce)
    }

    @Test func aListWhoseWatchExpiresAtOnceDoesNotResetSoRelistsSlowDown() {
        var backoff = InformerBackoff(minimumHealthyWatch: 5)
        var counts: [Int] = []
        for _ in 0..<5 {
            backoff.listed()
            backoff.failed(Self.expiredAtOnce, expired: true)
            counts.append(backoff.failures)
        }
        #expect(counts == [1, 2, 3, 4, 5])
        // Until a watch works again; then lists reset as before.
        backoff.listed()
        let worked = backoff.watchEnded(Self.deliveredSomething)
        #expect(worked)
        #expect(backoff.failures == 0 && !backoff.expiredAtOnce)
        backoff.failed(Self.quietFor2s, expired: false)
        backoff.failed(Self.quietFor2s, expired: false)
        backoff.listed()
        #expect(backoff.failures == 0)
    }

    @Test func aWatchThatEndsEarlyAndEmptyIsAFailure() {
        var backoff = InformerBackoff(minimumHealthyWatch: 5)
        let ended = [Duration.milliseconds(100), .seconds(1), .seconds(300)].map {
            (backoff.watchEnded(Watch(afterList: false, delivered: false, lasted: $0)), backoff.failures)
        }
        #expect(ended.map(\.0) == [false, false, true])
        #expect(ended.map(\.1) == [1, 2, 0])
    }
}
