package dev.twinlane.policy;

/** One entry of deny.network: an address, a network, or a port with protocol and direction. */
public sealed interface NetRule {
    Where where();

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address, network order; connects to it and binds on it. */
    record Address(byte[] address, Where where) implements NetRule {
    }

    /** A network: the address bits past prefixLength are zero (checked by the parser). */
    record Cidr(byte[] network, int prefixLength, Where where) implements NetRule {
    }

    record Port(int port, Protocol protocol, Direction direction, Where where) implements NetRule {
    }

    enum Protocol {
        TCP(6), UDP(17), ANY(-1);

        final int code;

        Protocol(int code) {
            this.code = code;
        }
    }

    enum Direction {
        CONNECT(1), BIND(2), ANY(-1);

        final int code;

        Direction(int code) {
            this.code = code;
        }
    }
}
