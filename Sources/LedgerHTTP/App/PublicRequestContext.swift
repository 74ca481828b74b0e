import Hummingbird
import NIOCore

/// The request context of the public listener: Hummingbird's core context plus the peer
/// address, which login throttling keys on (per IP as well as per username).
public struct PublicRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer of the request.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
