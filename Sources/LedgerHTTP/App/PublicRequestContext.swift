import Hummingbird
import NIOCore

/// The request context of the public listener: Hummingbird's core context plus the peer
/// address, which login throttling keys on (per IP as well as per username).
package struct PublicRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The TCP peer of the request.
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
