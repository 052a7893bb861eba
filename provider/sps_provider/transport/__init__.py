"""The plugin transport: gRPC over HTTP/2 over TLS on the provider's Unix socket, served without
grpcio (docs/adr/0016-own-plugin-transport.md). It knows methods and messages, not resources."""
