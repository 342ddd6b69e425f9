import Testing

@testable import Transport

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesWithJitterAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.5, maxDelay: 4)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0) == 0.25)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 1) == 0.5)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 1) == 2)
        #expect(policy.delay(afterAttempt: 9, retryAfter: nil, random: 1) == 4)
        #expect(policy.delay(afterAttempt: 2, retryAfter: 120, random: 0) == 4)
    }

    @Test func parsesRetryAfterSecondsAndDates() {
        #expect(RetryPolicy.parseRetryAfter("7", now: 0) == 7)
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 seconds after the epoch.
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_770) == 7)
        #expect(RetryPolicy.parseRetryAfter("soon", now: 0) == nil)
    }

    @Test func classifiesWhatIsWorthRetrying() {
        func status(_ code: Int) -> TransportError { TransportError(kind: .status, endpoint: "GET x", status: code, detail: "") }
        #expect(status(500).isRetryable && status(503).isRetryable && status(429).isRetryable && status(408).isRetryable)
        #expect(!status(400).isRetryable && !status(403).isRetryable && !status(404).isRetryable && !status(409).isRetryable)
        #expect(TransportError(kind: .network, endpoint: "x", detail: "").isRetryable)
        #expect(!TransportError(kind: .tls, endpoint: "x", detail: "").isRetryable)
    }
}
