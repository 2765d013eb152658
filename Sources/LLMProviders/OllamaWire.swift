import Foundation
import LLMCore

/// Ollama's `/api/chat` wire format.
enum OllamaWire {
    static func chatBody(_ request: ChatRequest, configuration: OllamaConfiguration, stream: Bool) throws(LLMError) -> JSONValue {
        try request.validate()
        guard let model = request.model ?? configuration.defaultModel else {
            throw LLMError(kind: .badRequest, message: "the request names no model and the client has no default model")
        }
        var messages: [JSONValue] = []
        if let system = request.systemPrompt { messages.append(["role": "system", "content": .string(system)]) }
        for message in request.messages {
            var object: JSONObject = ["role": .string(message.role.rawValue), "content": .string(message.text)]
            var images: [JSONValue] = []
            for part in message.content {
                switch part {
                case .text: break
                case .imageData(let data, _): images.append(.string(data.base64EncodedString()))
                case .imageURL(let url):
                    guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else {
                        throw LLMError(kind: .badRequest, message: "Ollama takes images as bytes; fetch \(url) and send it as imageData")
                    }
                    images.append(.string(String(url[url.index(after: comma)...])))
                }
            }
            if !images.isEmpty { object["images"] = .array(images) }
            if !message.toolCalls.isEmpty {
                object["tool_calls"] = .array(message.toolCalls.map { ["function": ["name": .string($0.name), "arguments": $0.arguments]] })
            }
            if message.role == .tool, let name = message.name { object["tool_name"] = .string(name) }
            messages.append(.object(object))
        }
        var body: JSONObject = ["model": .string(model), "messages": .array(messages), "stream": .bool(stream)]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["type": "function", "function": ["name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters]]
            })
        }
        switch request.responseFormat {
        case .text: break
        case .jsonObject: body["format"] = "json"
        case .jsonSchema(_, let schema, _): body["format"] = schema
        }
        var options: JSONObject = [:]
        if let temperature = request.temperature { options["temperature"] = .double(temperature) }
        if let topP = request.topP { options["top_p"] = .double(topP) }
        if let maximum = request.maxOutputTokens { options["num_predict"] = .integer(Int64(maximum)) }
        if !request.stopSequences.isEmpty { options["stop"] = .array(request.stopSequences.map(JSONValue.string)) }
        if !options.isEmpty { body["options"] = .object(options) }
        if let keepAlive = configuration.keepAlive { body["keep_alive"] = .string(keepAlive) }
        return .object(body)
    }
}

/// Turns `/api/chat` lines (one answer, or a stream of deltas) into ``LLMCore/ChatStreamEvent``s.
struct OllamaStreamDecoder {
    private var started = false
    private var toolCount = 0
    private let defaultModel: String
    private(set) var isDone = false

    init(defaultModel: String) { self.defaultModel = defaultModel }

    mutating func decode(line: String) throws(LLMError) -> [ChatStreamEvent] {
        let json: JSONValue
        do { json = try JSONValue(parsing: line) } catch {
            throw LLMError(kind: .decoding, message: "a line of Ollama's answer is not JSON: \(error)", provider: "ollama")
        }
        if let message = json["error"]?.stringValue {
            throw LLMError(httpStatus: 500, headers: [:], message: message, provider: "ollama")
        }
        var events: [ChatStreamEvent] = []
        if !started {
            started = true
            events.append(.responseStarted(id: nil, model: json["model"]?.stringValue ?? defaultModel))
        }
        let message = json["message"]
        if let thinking = message?["thinking"]?.stringValue, !thinking.isEmpty { events.append(.reasoningDelta(thinking)) }
        if let text = message?["content"]?.stringValue, !text.isEmpty { events.append(.textDelta(text)) }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            guard let name = call["function"]?["name"]?.stringValue else {
                throw LLMError(kind: .decoding, message: "a tool call has no function name", provider: "ollama")
            }
            let index = toolCount
            toolCount += 1
            let arguments: String
            do { arguments = try (call["function"]?["arguments"] ?? [:]).serialized() } catch {
                throw LLMError(kind: .decoding, message: "a tool call's arguments cannot be written: \(error)", provider: "ollama")
            }
            events += [.toolCallStarted(index: index, id: "call_\(index)", name: name), .toolCallArgumentsDelta(index: index, fragment: arguments), .toolCallEnded(index: index)]
        }
        if json["done"]?.boolValue == true {
            isDone = true
            let input = json["prompt_eval_count"]?.integerValue.map(Int.init) ?? 0
            let output = json["eval_count"]?.integerValue.map(Int.init) ?? 0
            if input + output > 0 { events.append(.usage(Usage(inputTokens: input, outputTokens: output))) }
            let reason: FinishReason = switch json["done_reason"]?.stringValue {
            case "length"?: .length
            case nil, "stop"?: toolCount > 0 ? .toolCalls : .stop
            case let other?: .other(other)
            }
            events.append(.finished(reason))
        }
        return events
    }
}
