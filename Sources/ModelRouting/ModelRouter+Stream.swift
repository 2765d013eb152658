import LLMCore

extension ModelRouter {
    /// Routes a streamed request, falling back only while nothing of the answer has been forwarded.
    func stream(_ request: ChatRequest, into continuation: ChatStream.Continuation) async throws(LLMError) {
        let started = clock.nanoseconds
        var attempts = try await plan(request, streaming: true)
        while let (index, bypass) = attempts.next() {
            let deployment = deployments[index]
            var admission: Admission
            do {
                admission = try admit(index, bypassingCooldown: bypass, for: attempts)
            } catch {
                attempts.skip(deployment.name, because: error)
                continue
            }
            var iterator = source(for: deployment, request: attempts.request(for: deployment)).makeAsyncIterator()
            // Until the first content event, hold everything back: a fallback must not show the
            // consumer a second response start.
            var held: [ChatStreamEvent] = []
            var usage = Usage.zero
            var firstContent: ChatStreamEvent?
            do throws(LLMError) {
                while let event = try await iterator.next() {
                    if case .usage(let totals) = event { usage = usage.merging(runningTotals: totals) }
                    if event.isAnswerContent {
                        firstContent = event
                        break
                    }
                    held.append(event)
                }
                if firstContent == nil {
                    throw LLMError(kind: .transport, message: "\(deployment.name)'s stream ended before any content", provider: deployment.provider)
                }
            } catch {
                fail(admission, error: error, usage: usage, attempts: &attempts)
                if !configuration.fallbackOn.contains(error.kind) { throw error }
                continue
            }

            // Committed to this deployment: from here a failure ends the stream.
            let firstToken = clock.nanoseconds
            admission.permit.take()?.succeeded()
            var listening = true
            for event in held + [firstContent!] where !event.isRoutingRecord {
                if !continuation.yield(event) {
                    listening = false
                    break
                }
            }
            do throws(LLMError) {
                while listening, let event = try await iterator.next() {
                    if case .usage(let totals) = event { usage = usage.merging(runningTotals: totals) }
                    // A nested router's record is replaced by ours.
                    if event.isRoutingRecord { continue }
                    listening = continuation.yield(event)
                }
            } catch {
                fail(admission, error: error, usage: usage, attempts: &attempts)
                throw error
            }
            let cost = finish(admission, usage: usage, key: attempts.key, firstToken: firstToken)
            continuation.yield(
                .routed(attempts.decision(deployment: deployment.name, latency: clock.nanoseconds - started, firstToken: firstToken - started, cost: cost)))
            return
        }
        throw attempts.finalError()
    }

    /// The deployment's stream, or its one-shot answer replayed as one when it does not stream.
    private func source(for deployment: Deployment, request: ChatRequest) -> ChatStream {
        guard !deployment.capabilities.streaming else { return deployment.model.stream(request) }
        return ChatStream { continuation throws(LLMError) in
            for event in try await deployment.model.respond(to: request).streamEvents {
                guard continuation.yield(event) else { return }
            }
        }
    }
}

extension ChatStreamEvent {
    fileprivate var isRoutingRecord: Bool {
        if case .routed = self { true } else { false }
    }
}
