extension ChatRequest {
    /// Tokens a chat format adds around each message (role markers and separators), as OpenAI documents for its models.
    private static let tokensPerMessage = 4
    /// Tokens that prime the reply.
    private static let tokensPerReply = 3

    /// An estimate of the prompt tokens this request costs: the system prompt, every message's text,
    /// tool calls and tool definitions, plus a few tokens of framing per message.
    ///
    /// Images are not counted (providers price them separately). With an exact counter the text is
    /// counted exactly; the framing is OpenAI's documented overhead, so the total is close for
    /// OpenAI-style formats and an estimate for others. Use it for rate-limit reservations and
    /// context-window checks, and reconcile with the ``Usage`` a response reports.
    public func estimatedPromptTokens(using counter: some TokenCounter) -> Int {
        var total = Self.tokensPerReply
        if let systemPrompt {
            total += Self.tokensPerMessage + counter.tokenCount(of: systemPrompt)
        }
        for message in messages {
            total += Self.tokensPerMessage + counter.tokenCount(of: message.text)
            for call in message.toolCalls {
                total += counter.tokenCount(of: call.name) + counter.tokenCount(of: call.argumentsText)
            }
        }
        for tool in tools {
            let parameters = (try? tool.parameters.serialized()) ?? ""
            total += counter.tokenCount(of: tool.name) + counter.tokenCount(of: tool.description)
                + counter.tokenCount(of: parameters)
        }
        return total
    }
}
