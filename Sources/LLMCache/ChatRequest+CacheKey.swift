import Foundation
import LLMCore

extension ChatRequest {
    /// The version of the canonical form below; bump it when the form changes, so old keys miss
    /// rather than collide.
    static let cacheKeyVersion: Int64 = 1

    /// Whether the request asks for sampling: a temperature above 0, or none (providers then
    /// default to sampling, usually at 1).
    public var isSampled: Bool { (temperature ?? 1) > 0 }

    /// A key for this request that is the same in every process and on every machine, or `nil`
    /// when the request samples and the caller did not opt in.
    ///
    /// The key is the SHA-256 of a canonical JSON form of everything that changes the answer: the
    /// model, the system prompt, every message (roles, text, images by the SHA-256 of their bytes,
    /// tool calls with their arguments parsed, tool results), the tools, the tool choice, the
    /// response format, temperature, top-p, the output limit and the stop sequences — plus
    /// `partition`. Object keys are sorted and whitespace is dropped, so key order in JSON arguments
    /// and schemas does not matter. Tool-call ids are replaced by their position in the conversation
    /// (providers make them up afresh on every run). `metadata` and `user` are left out: put a
    /// tenant or user into `partition` when answers must not be shared between them.
    ///
    /// - Parameters:
    ///   - partition: Keeps keys of different tenants, users or deployments apart.
    ///   - cachingSampledRequests: Caches requests with a temperature above 0 (or none) too; their
    ///     answers vary from call to call, so a cache would return one of them every time.
    /// - Throws: ``LLMError/Kind/badRequest`` when the request holds a non-finite number.
    public func cacheKey(partition: String? = nil, cachingSampledRequests: Bool = false) throws(LLMError) -> CacheKey? {
        if isSampled, !cachingSampledRequests { return nil }
        do {
            let text = try canonicalForm(partition: partition).serialized(options: .sortedKeys)
            return CacheKey(hashing: text)
        } catch {
            throw LLMError(kind: .badRequest, message: "the request cannot be keyed for a cache: \(error)")
        }
    }

    /// The canonical JSON form that ``cacheKey(partition:cachingSampledRequests:)`` hashes.
    func canonicalForm(partition: String?) -> JSONValue {
        var callOrdinals: [String: Int64] = [:]
        var messageValues: [JSONValue] = []
        for message in messages {
            var object: JSONObject = ["role": .string(message.role.rawValue)]
            object["content"] = .array(message.content.map(Self.canonical))
            if !message.toolCalls.isEmpty {
                object["tool_calls"] = .array(message.toolCalls.map { call in
                    let ordinal = Int64(callOrdinals.count)
                    callOrdinals[call.id] = callOrdinals[call.id] ?? ordinal
                    return ["call": .integer(callOrdinals[call.id]!), "name": .string(call.name), "arguments": call.arguments]
                })
            }
            if let id = message.toolCallID {
                object["answers_call"] = callOrdinals[id].map(JSONValue.integer) ?? .string(id)
            }
            if let name = message.name { object["name"] = .string(name) }
            messageValues.append(.object(object))
        }
        var object: JSONObject = [
            "v": .integer(Self.cacheKeyVersion),
            "messages": .array(messageValues),
            "tools": .array(tools.map { ["name": .string($0.name), "description": .string($0.description), "parameters": $0.parameters] }),
            "stop": .array(stopSequences.map(JSONValue.string)),
        ]
        object["model"] = model.map(JSONValue.string) ?? .null
        object["system"] = systemPrompt.map(JSONValue.string) ?? .null
        object["partition"] = partition.map(JSONValue.string) ?? .null
        object["temperature"] = temperature.map(JSONValue.double) ?? .null
        object["top_p"] = topP.map(JSONValue.double) ?? .null
        object["max_output_tokens"] = maxOutputTokens.map { .integer(Int64($0)) } ?? .null
        switch toolChoice {
        case nil: object["tool_choice"] = .null
        case .auto?: object["tool_choice"] = "auto"
        case .none?: object["tool_choice"] = "none"
        case .required?: object["tool_choice"] = "required"
        case .tool(let name)?: object["tool_choice"] = ["tool": .string(name)]
        }
        switch responseFormat {
        case .text: object["response_format"] = "text"
        case .jsonObject: object["response_format"] = "json_object"
        case .jsonSchema(let name, let schema, let strict):
            object["response_format"] = ["name": .string(name), "schema": schema, "strict": .bool(strict)]
        }
        return .object(object)
    }

    private static func canonical(_ part: ContentPart) -> JSONValue {
        switch part {
        case .text(let text): ["text": .string(text)]
        case .imageURL(let url): ["image_url": .string(url)]
        case .imageData(let data, let mediaType):
            ["image_sha256": .string(CacheKey(hashing: data).hex), "media_type": .string(mediaType)]
        }
    }
}
