import Foundation
import LLMCore

/// The chat-completions wire format: requests out, responses in.
enum OpenAIWire {
    static func chatBody(_ request: ChatRequest, configuration: OpenAIConfiguration, stream: Bool) throws(LLMError) -> JSONValue {
        try request.validate()
        guard let model = request.model ?? configuration.defaultModel else {
            throw LLMError(kind: .badRequest, message: "the request names no model and the client has no default model")
        }
        var messages: [JSONValue] = []
        if let system = request.systemPrompt { messages.append(["role": "system", "content": .string(system)]) }
        for message in request.messages { messages.append(self.message(message)) }
        var body: JSONObject = ["model": .string(model), "messages": .array(messages)]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["type": "function", "function": ["name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters]]
            })
        }
        switch request.toolChoice {
        case nil: break
        case .auto?: body["tool_choice"] = "auto"
        case .none?: body["tool_choice"] = "none"
        case .required?: body["tool_choice"] = "required"
        case .tool(let name)?: body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        }
        switch request.responseFormat {
        case .text: break
        case .jsonObject: body["response_format"] = ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict):
            body["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if let maximum = request.maxOutputTokens { body[configuration.maxTokensField] = .integer(Int64(maximum)) }
        if !request.stopSequences.isEmpty { body["stop"] = .array(request.stopSequences.map(JSONValue.string)) }
        if let user = request.user { body["user"] = .string(user) }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    private static func message(_ message: ChatMessage) -> JSONValue {
        var object: JSONObject = ["role": .string(message.role.rawValue)]
        let onlyText = message.content.allSatisfy { if case .text = $0 { true } else { false } }
        if onlyText {
            object["content"] = message.content.isEmpty && !message.toolCalls.isEmpty ? .null : .string(message.text)
        } else {
            object["content"] = .array(message.content.map { part -> JSONValue in
                switch part {
                case .text(let text): ["type": "text", "text": .string(text)]
                case .imageURL(let url): ["type": "image_url", "image_url": ["url": .string(url)]]
                case .imageData(let data, let mediaType):
                    ["type": "image_url", "image_url": ["url": .string("data:\(mediaType);base64,\(data.base64EncodedString())")]]
                }
            })
        }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(message.toolCalls.map { call in
                ["id": .string(call.id), "type": "function", "function": ["name": .string(call.name), "arguments": .string(call.argumentsText)]]
            })
        }
        if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        if let name = message.name { object["name"] = .string(name) }
        return .object(object)
    }

    static func response(from json: JSONValue, requestedModel: String) throws(LLMError) -> ChatResponse {
        if let error = json["error"], !error.isNull { throw inStreamError(error, provider: nil) }
        guard let choice = json["choices"]?[0], let message = choice["message"] else {
            throw LLMError(kind: .decoding, message: "the response has no choices[0].message")
        }
        var calls: [ToolCall] = []
        for call in message["tool_calls"]?.arrayValue ?? [] {
            guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                throw LLMError(kind: .decoding, message: "a tool call lacks its id or name")
            }
            calls.append(try ToolCall(id: id, name: name, argumentsText: call["function"]?["arguments"]?.stringValue ?? "{}"))
        }
        let reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        return ChatResponse(
            message: .assistant(message["content"]?.stringValue ?? "", toolCalls: calls),
            finishReason: finishReason(choice["finish_reason"]?.stringValue, hasToolCalls: !calls.isEmpty),
            usage: usage(json["usage"]) ?? .zero, model: json["model"]?.stringValue ?? requestedModel,
            id: json["id"]?.stringValue, reasoning: reasoning?.isEmpty == false ? reasoning : nil)
    }

    static func finishReason(_ raw: String?, hasToolCalls: Bool) -> FinishReason {
        switch raw {
        case nil: hasToolCalls ? .toolCalls : .stop
        case "function_call"?: .toolCalls
        case let raw?: FinishReason(rawValue: raw)
        }
    }

    static func usage(_ json: JSONValue?) -> Usage? {
        guard let json, !json.isNull else { return nil }
        func count(_ value: JSONValue?) -> Int { value?.integerValue.map(Int.init) ?? 0 }
        return Usage(
            inputTokens: count(json["prompt_tokens"]), outputTokens: count(json["completion_tokens"]),
            cachedInputTokens: count(json["prompt_tokens_details"]?["cached_tokens"]),
            reasoningTokens: count(json["completion_tokens_details"]?["reasoning_tokens"]))
    }

    /// An error object sent where an answer was expected (in a 200 response or a stream).
    static func inStreamError(_ error: JSONValue, provider: String?) -> LLMError {
        let message = error["message"]?.stringValue ?? error.stringValue ?? "the server reported an error"
        let code = error["code"]?.stringValue ?? error["type"]?.stringValue
        let status = error["code"]?.integerValue.map(Int.init)
        return LLMError(httpStatus: status ?? 500, headers: [:], message: message, providerCode: code, provider: provider)
    }
}

/// Turns the `data:` payloads of a chat-completions stream into ``LLMCore/ChatStreamEvent``s.
struct OpenAIStreamDecoder {
    private var started = false
    private var openCalls: [Int] = []
    private var finishReason: String?
    private var sawToolCalls = false
    private let defaultModel: String
    /// Whether `[DONE]` arrived.
    private(set) var isDone = false

    init(defaultModel: String) { self.defaultModel = defaultModel }

    mutating func decode(_ data: String, provider: String) throws(LLMError) -> [ChatStreamEvent] {
        if data == "[DONE]" {
            isDone = true
            return []
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: data) } catch {
            throw LLMError(kind: .decoding, message: "a stream event is not JSON: \(error)", provider: provider)
        }
        if let error = json["error"], !error.isNull { throw OpenAIWire.inStreamError(error, provider: provider) }
        var events: [ChatStreamEvent] = []
        if !started {
            started = true
            events.append(.responseStarted(id: json["id"]?.stringValue, model: json["model"]?.stringValue ?? defaultModel))
        }
        if let choice = json["choices"]?[0] {
            let delta = choice["delta"]
            if let reasoning = delta?["reasoning_content"]?.stringValue ?? delta?["reasoning"]?.stringValue, !reasoning.isEmpty {
                events.append(.reasoningDelta(reasoning))
            }
            if let text = delta?["content"]?.stringValue, !text.isEmpty { events.append(.textDelta(text)) }
            for call in delta?["tool_calls"]?.arrayValue ?? [] {
                let index = call["index"]?.integerValue.map(Int.init) ?? 0
                if !openCalls.contains(index) {
                    guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                        throw LLMError(kind: .decoding, message: "tool call \(index) began without an id and name", provider: provider)
                    }
                    openCalls.append(index)
                    sawToolCalls = true
                    events.append(.toolCallStarted(index: index, id: id, name: name))
                }
                if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                    events.append(.toolCallArgumentsDelta(index: index, fragment: fragment))
                }
            }
            if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        }
        if let usage = OpenAIWire.usage(json["usage"]) { events.append(.usage(usage)) }
        return events
    }

    /// The closing events; a stream that ended without a finish reason or `[DONE]` was cut off.
    mutating func finish() throws(LLMError) -> [ChatStreamEvent] {
        guard isDone || finishReason != nil else {
            throw LLMError(kind: .transport, message: "the stream ended before the answer finished (the server hung up)")
        }
        var events = openCalls.sorted().map { ChatStreamEvent.toolCallEnded(index: $0) }
        if !started { events.insert(.responseStarted(id: nil, model: defaultModel), at: 0) }
        events.append(.finished(OpenAIWire.finishReason(finishReason, hasToolCalls: sawToolCalls)))
        return events
    }
}
