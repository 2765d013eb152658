import Foundation
import LLMCore

/// The Messages API wire format.
enum AnthropicWire {
    static func body(_ request: ChatRequest, configuration: AnthropicConfiguration, stream: Bool) throws(LLMError) -> JSONValue {
        try request.validate()
        guard let model = request.model ?? configuration.defaultModel else {
            throw LLMError(kind: .badRequest, message: "the request names no model and the client has no default model")
        }
        if case .jsonSchema = request.responseFormat {
            throw LLMError(
                kind: .badRequest,
                message: "this Anthropic client has no JSON-schema output mode; define a tool with the schema as its input_schema and require it with toolChoice")
        }
        var body: JSONObject = [
            "model": .string(model), "max_tokens": .integer(Int64(request.maxOutputTokens ?? configuration.defaultMaxOutputTokens)),
            "messages": .array(try messages(request.messages)),
        ]
        if let system = request.systemPrompt { body["system"] = .string(system) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.parameters] })
        }
        switch request.toolChoice {
        case nil: break
        case .auto?: body["tool_choice"] = ["type": "auto"]
        case .none?: body["tool_choice"] = ["type": "none"]
        case .required?: body["tool_choice"] = ["type": "any"]
        case .tool(let name)?: body["tool_choice"] = ["type": "tool", "name": .string(name)]
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if !request.stopSequences.isEmpty { body["stop_sequences"] = .array(request.stopSequences.map(JSONValue.string)) }
        if stream { body["stream"] = true }
        return .object(body)
    }

    /// Our messages as Anthropic turns: tool results join the user turn they belong to.
    private static func messages(_ messages: [ChatMessage]) throws(LLMError) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages {
            let role: String
            var blocks: [JSONValue] = []
            switch message.role {
            case .system:
                throw LLMError(kind: .badRequest, message: "put system text in ChatRequest.systemPrompt for Anthropic, not in a message")
            case .user, .assistant:
                role = message.role.rawValue
                blocks = message.content.map(block)
                for call in message.toolCalls {
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": call.arguments])
                }
            case .tool:
                role = "user"
                guard let id = message.toolCallID else {
                    throw LLMError(kind: .badRequest, message: "a tool message needs the id of the call it answers")
                }
                blocks = [["type": "tool_result", "tool_use_id": .string(id), "content": .string(message.text)]]
            }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    private static func block(_ part: ContentPart) -> JSONValue {
        switch part {
        case .text(let text): ["type": "text", "text": .string(text)]
        case .imageURL(let url): ["type": "image", "source": ["type": "url", "url": .string(url)]]
        case .imageData(let data, let mediaType):
            ["type": "image", "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(data.base64EncodedString())]]
        }
    }

    static func response(from json: JSONValue, requestedModel: String) throws(LLMError) -> ChatResponse {
        guard let blocks = json["content"]?.arrayValue else {
            throw LLMError(kind: .decoding, message: "the answer has no content blocks", provider: "anthropic")
        }
        var text = ""
        var thinking = ""
        var calls: [ToolCall] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "thinking": thinking += block["thinking"]?.stringValue ?? ""
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw LLMError(kind: .decoding, message: "a tool_use block lacks its id or name", provider: "anthropic")
                }
                calls.append(try ToolCall(id: id, name: name, arguments: block["input"] ?? [:]))
            default: break
            }
        }
        return ChatResponse(
            message: .assistant(text, toolCalls: calls), finishReason: finishReason(json["stop_reason"]?.stringValue),
            usage: usage(json["usage"]) ?? .zero, model: json["model"]?.stringValue ?? requestedModel,
            id: json["id"]?.stringValue, reasoning: thinking.isEmpty ? nil : thinking)
    }

    static func finishReason(_ raw: String?) -> FinishReason {
        switch raw {
        case "end_turn"?, "stop_sequence"?, nil: .stop
        case "max_tokens"?: .length
        case "tool_use"?: .toolCalls
        case "refusal"?: .contentFilter
        case let raw?: .other(raw)
        }
    }

    /// Anthropic counts cache reads and writes apart from `input_tokens`; ours includes them.
    static func usage(_ json: JSONValue?) -> Usage? {
        guard let json, !json.isNull else { return nil }
        func count(_ key: String) -> Int { json[key]?.integerValue.map(Int.init) ?? 0 }
        let cacheRead = count("cache_read_input_tokens")
        return Usage(
            inputTokens: count("input_tokens") + cacheRead + count("cache_creation_input_tokens"),
            outputTokens: count("output_tokens"), cachedInputTokens: cacheRead)
    }
}

/// Turns Messages API stream events into ``LLMCore/ChatStreamEvent``s.
struct AnthropicStreamDecoder {
    private var toolIndexOfBlock: [Int: Int] = [:]
    /// The `input_json_delta` fragments of each open tool block, joined and parsed at its stop.
    private var partialInput: [Int: String] = [:]
    private var usage = Usage.zero
    private let defaultModel: String
    private(set) var isDone = false
    private var stopReason: String?

    init(defaultModel: String) { self.defaultModel = defaultModel }

    mutating func decode(type: String, data: String) throws(LLMError) -> [ChatStreamEvent] {
        if type == "ping" { return [] }
        let json: JSONValue
        do { json = try JSONValue(parsing: data) } catch {
            throw LLMError(kind: .decoding, message: "a stream event is not JSON: \(error)", provider: "anthropic")
        }
        switch type {
        case "error":
            let error = json["error"]
            let code = error?["type"]?.stringValue
            let status = code == "overloaded_error" ? 529 : code == "rate_limit_error" ? 429 : code == "api_error" ? 500 : 400
            throw LLMError(
                httpStatus: status, headers: [:], message: error?["message"]?.stringValue ?? "the stream reported an error",
                providerCode: code, provider: "anthropic")
        case "message_start":
            let message = json["message"]
            if let start = AnthropicWire.usage(message?["usage"]) { usage = usage.merging(runningTotals: start) }
            return [.responseStarted(id: message?["id"]?.stringValue, model: message?["model"]?.stringValue ?? defaultModel)]
        case "content_block_start":
            let block = json["content_block"]
            let index = json["index"]?.integerValue.map(Int.init) ?? 0
            guard block?["type"]?.stringValue == "tool_use" else {
                if let text = block?["text"]?.stringValue, !text.isEmpty { return [.textDelta(text)] }
                return []
            }
            guard let id = block?["id"]?.stringValue, let name = block?["name"]?.stringValue else {
                throw LLMError(kind: .decoding, message: "a tool_use block began without id or name", provider: "anthropic")
            }
            let toolIndex = toolIndexOfBlock.count
            toolIndexOfBlock[index] = toolIndex
            return [.toolCallStarted(index: toolIndex, id: id, name: name)]
        case "content_block_delta":
            let delta = json["delta"]
            let index = json["index"]?.integerValue.map(Int.init) ?? 0
            switch delta?["type"]?.stringValue {
            case "text_delta": return [.textDelta(delta?["text"]?.stringValue ?? "")]
            case "thinking_delta": return [.reasoningDelta(delta?["thinking"]?.stringValue ?? "")]
            case "input_json_delta":
                guard toolIndexOfBlock[index] != nil else {
                    throw LLMError(kind: .decoding, message: "input_json_delta for block \(index), which is not a tool call", provider: "anthropic")
                }
                partialInput[index, default: ""] += delta?["partial_json"]?.stringValue ?? ""
                return []
            default: return []
            }
        case "content_block_stop":
            let index = json["index"]?.integerValue.map(Int.init) ?? 0
            guard let toolIndex = toolIndexOfBlock[index] else { return [] }
            // The fragments only make sense together: parse them once, and pass the arguments on
            // in the same form a one-shot answer has.
            let text = partialInput.removeValue(forKey: index) ?? ""
            let arguments: String
            do {
                arguments = text.isEmpty ? "{}" : try JSONValue(parsing: text).serialized()
            } catch {
                throw LLMError(kind: .decoding, message: "tool call \(toolIndex)'s streamed input is not JSON: \(error)", provider: "anthropic")
            }
            return [.toolCallArgumentsDelta(index: toolIndex, fragment: arguments), .toolCallEnded(index: toolIndex)]
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            if let running = AnthropicWire.usage(json["usage"]) {
                // message_delta's usage is cumulative; it may carry only output_tokens.
                usage = Usage(
                    inputTokens: max(usage.inputTokens, running.inputTokens), outputTokens: running.outputTokens,
                    cachedInputTokens: max(usage.cachedInputTokens, running.cachedInputTokens))
            }
            return [.usage(usage)]
        case "message_stop":
            isDone = true
            return [.finished(AnthropicWire.finishReason(stopReason))]
        default:
            return []
        }
    }
}
