package io.psip.routing.sip;

import io.psip.schemas.net.Cidr;

import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a SIP URI's requests go (RFC 3263, as far as a client needs it): an address literal or {@code localhost}
 * without DNS; with a port, the host's A/AAAA records; otherwise NAPTR (services SIP+D2U, SIP+D2T, SIPS+D2T), then
 * SRV ({@code _sip._udp}, {@code _sip._tcp}, {@code _sips._tcp}), then A/AAAA on the default port. It blocks on
 * DNS: run it off the call lanes, under a deadline. Every address it returns is to be checked by the
 * {@link io.psip.routing.call.DestinationPolicy} before anything is sent there.
 */
final class TargetResolver {

    /** What the URI says: {@code port} is -1 and {@code transport} null when the URI names none. */
    record Query(String host, int port, String transport, boolean secure) {
    }

    /** One place to send to: transport {@code udp}, {@code tcp} or {@code tls}. */
    record Target(InetAddress address, int port, String transport) {
    }

    /** DNS as RFC 3263 uses it; records come as their presentation text. */
    interface Dns {
        List<String> records(String name, String type);

        List<InetAddress> addresses(String host) throws UnknownHostException;
    }

    private final Dns dns;

    TargetResolver(Dns dns) {
        this.dns = dns;
    }

    /** Nothing when the name does not resolve. */
    List<Target> resolve(Query query) throws UnknownHostException {
        String host = unbracketed(query.host());
        String transport = query.transport() != null ? query.transport() : query.secure() ? "tls" : null;
        Optional<InetAddress> literal = Cidr.parseAddress(host);
        if (withoutDns(query)) {
            String t = transport == null ? "udp" : transport;
            InetAddress address = literal.orElse(InetAddress.getLoopbackAddress());
            return List.of(new Target(address, query.port() > 0 ? query.port() : defaultPort(t), t));
        }
        if (query.port() > 0) {
            return addressTargets(host, query.port(), transport == null ? "udp" : transport);
        }
        if (transport == null) {
            for (Naptr naptr : naptrs(host)) {
                String t = naptr.transport();
                if (t != null && (!query.secure() || "tls".equals(t))) {
                    List<Target> targets = srvTargets(naptr.replacement(), t);
                    if (!targets.isEmpty()) {
                        return targets;
                    }
                }
            }
            for (String t : query.secure() ? List.of("tls") : List.of("udp", "tcp")) {
                List<Target> targets = srvTargets(srvName(t, host), t);
                if (!targets.isEmpty()) {
                    return targets;
                }
            }
            transport = query.secure() ? "tls" : "udp";
        } else {
            List<Target> targets = srvTargets(srvName(transport, host), transport);
            if (!targets.isEmpty()) {
                return targets;
            }
        }
        return addressTargets(host, defaultPort(transport), transport);
    }

    /** True when {@link #resolve} needs no DNS for {@code query}: it returns at once. */
    static boolean withoutDns(Query query) {
        String host = unbracketed(query.host());
        return "localhost".equalsIgnoreCase(host) || Cidr.parseAddress(host).isPresent();
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private List<Target> addressTargets(String host, int port, String transport) throws UnknownHostException {
        List<Target> targets = new ArrayList<>();
        for (InetAddress address : dns.addresses(host)) {
            targets.add(new Target(address, port, transport));
        }
        return targets;
    }

    /** SRV targets by priority, the heavier first within one (RFC 2782's weighted pick, made deterministic). */
    private List<Target> srvTargets(String name, String transport) {
        List<Srv> records = new ArrayList<>();
        for (String text : dns.records(name, "SRV")) {
            String[] f = text.trim().split("\\s+");
            if (f.length == 4 && !".".equals(f[3])) {
                records.add(new Srv(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        stripDot(f[3])));
            }
        }
        records.sort(Comparator.comparingInt(Srv::priority).thenComparing(Comparator.comparingInt(Srv::weight)
                .reversed()));
        List<Target> targets = new ArrayList<>();
        for (Srv srv : records) {
            try {
                for (InetAddress address : dns.addresses(srv.target())) {
                    targets.add(new Target(address, srv.port(), transport));
                }
            } catch (UnknownHostException e) {
                // an SRV target without addresses: try the next
            }
        }
        return targets;
    }

    private List<Naptr> naptrs(String host) {
        List<Naptr> naptrs = new ArrayList<>();
        for (String text : dns.records(host, "NAPTR")) {
            List<String> f = fields(text);
            if (f.size() == 6 && "s".equalsIgnoreCase(f.get(2))) {
                naptrs.add(new Naptr(Integer.parseInt(f.get(0)), Integer.parseInt(f.get(1)),
                        f.get(3).toUpperCase(Locale.ROOT), stripDot(f.get(5))));
            }
        }
        naptrs.sort(Comparator.comparingInt(Naptr::order).thenComparingInt(Naptr::preference));
        return naptrs;
    }

    private record Srv(int priority, int weight, int port, String target) {
    }

    private record Naptr(int order, int preference, String service, String replacement) {
        String transport() {
            return switch (service) {
                case "SIP+D2U" -> "udp";
                case "SIP+D2T" -> "tcp";
                case "SIPS+D2T" -> "tls";
                default -> null;
            };
        }
    }

    /** A NAPTR record's fields; its strings are quoted and may be empty. */
    private static List<String> fields(String text) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean inField = false;
        for (char c : text.trim().toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                inField = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inField) {
                    fields.add(field.toString());
                    field.setLength(0);
                    inField = false;
                }
            } else {
                field.append(c);
                inField = true;
            }
        }
        if (inField) {
            fields.add(field.toString());
        }
        return fields;
    }

    private static String srvName(String transport, String host) {
        return switch (transport) {
            case "tls" -> "_sips._tcp." + host;
            case "tcp" -> "_sip._tcp." + host;
            default -> "_sip._udp." + host;
        };
    }

    static int defaultPort(String transport) {
        return "tls".equals(transport) ? 5061 : 5060;
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * NAPTR and SRV through the JDK's JNDI DNS provider (the system's name servers, each query bounded by
     * {@code timeout}); A/AAAA through the system resolver, so /etc/hosts names (containers) resolve too.
     */
    static Dns system(Duration timeout) {
        return jndi(null, timeout);
    }

    /** As {@link #system}, with NAPTR and SRV asked of {@code nameServer} ({@code dns://host:port}) when given. */
    static Dns jndi(String nameServer, Duration timeout) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        if (nameServer != null) {
            env.put("java.naming.provider.url", nameServer);
        }
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(100, timeout.toMillis() / 2)));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        return new Dns() {
            @Override
            public List<String> records(String name, String type) {
                List<String> records = new ArrayList<>();
                try {
                    DirContext context = new InitialDirContext(env);
                    try {
                        Attribute attribute = context.getAttributes(name, new String[] {type}).get(type);
                        for (int i = 0; attribute != null && i < attribute.size(); i++) {
                            records.add(attribute.get(i).toString());
                        }
                    } finally {
                        context.close();
                    }
                } catch (NamingException | RuntimeException e) {
                    // no such record, no name server, or no answer in time: as if there were none
                }
                return records;
            }

            @Override
            public List<InetAddress> addresses(String host) throws UnknownHostException {
                return List.of(InetAddress.getAllByName(host));
            }
        };
    }
}
