#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One piece of a message's content: text or an image.
///
/// Encoded with a `type` discriminator: `{"type":"text","text":"…"}`,
/// `{"type":"image_url","url":"…"}`, `{"type":"image_data","media_type":"image/png","data":"<base64>"}`.
public enum ContentPart: Sendable, Hashable {
    /// Plain text.
    case text(String)
    /// An image the provider fetches from a URL (`https:` or a `data:` URL).
    case imageURL(String)
    /// Image bytes sent inline, with their media type (for example `image/png`).
    case imageData(Data, mediaType: String)

    /// The text, if this part is text.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

extension ContentPart: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, text, url, data
        case mediaType = "media_type"
    }

    /// Decodes a part by its `type`; an unknown type is a `DecodingError` naming it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image_url":
            self = .imageURL(try container.decode(String.self, forKey: .url))
        case "image_data":
            let encoded = try container.decode(String.self, forKey: .data)
            guard let data = Data(base64Encoded: encoded) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .data, in: container, debugDescription: "image data is not valid base64")
            }
            self = .imageData(data, mediaType: try container.decode(String.self, forKey: .mediaType))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown content part type '\(type)'; expected text, image_url or image_data")
        }
    }

    /// Encodes the part with its `type` discriminator.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageURL(let url):
            try container.encode("image_url", forKey: .type)
            try container.encode(url, forKey: .url)
        case .imageData(let data, let mediaType):
            try container.encode("image_data", forKey: .type)
            try container.encode(mediaType, forKey: .mediaType)
            try container.encode(data.base64EncodedString(), forKey: .data)
        }
    }
}
