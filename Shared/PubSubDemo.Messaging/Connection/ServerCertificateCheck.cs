using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// Verifies the server's certificate: a chain to REDIS_TLS_CA only (else to the system store), valid now, for the
/// host name we dialled. A refusal keeps its reason (unknown CA, expired, wrong host name), which the connection's
/// waiting line then shows instead of the TLS stack's "rejected by the provided RemoteCertificateValidationCallback".
/// </summary>
internal sealed class ServerCertificateCheck(X509Certificate2Collection? authorities, TimeProvider? time = null, string authoritiesName = "the trusted CA file")
{
    private readonly Lock _gate = new();
    private volatile string? _lastRejection;
    private long _lastAttempt = -1;

    /// <summary>
    /// Why the server's certificate was refused, while the latest connection attempt failed on it; null once an
    /// attempt got past TLS or failed for another reason (the server is down, say), so the reason is never stale.
    /// </summary>
    public string? CurrentRejection { get; private set; }

    /// <summary>The client's <c>ConnectionAttemptCompleted</c> event: it reports every attempt, the first ones too.</summary>
    public void OnAttempt(object? sender, ConnectionAttemptCompletedEventArgs attempt)
    {
        lock (_gate)
        {
            // Reported on worker threads, possibly out of order: only a newer attempt changes the answer.
            if (attempt.SequenceNumber < _lastAttempt)
            {
                return;
            }

            _lastAttempt = attempt.SequenceNumber;
            CurrentRejection = !attempt.IsSuccess && attempt.Stage == ConnectionAttemptStage.Tls && attempt.ServerCertificateAccepted == false
                ? _lastRejection
                : null;
        }
    }

    /// <summary>The <c>CertificateValidation</c> callback.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reason = Check(sender is SslStream stream ? stream.TargetHostName : null, certificate, chain, errors);
        if (reason is not null)
        {
            _lastRejection = $"the server's certificate is not trusted: {reason}";
        }

        return reason is null;
    }

    private string? Check(string? host, X509Certificate? presented, X509Chain? received, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server sent no certificate";
        }

        using var certificate = new X509Certificate2(presented);
        var subject = certificate.Subject.Length > 0 ? certificate.Subject : "(no subject)";
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            return $"expired: '{subject}' was valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
        {
            return $"not yet valid: '{subject}' is valid from {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (received is not null)
        {
            foreach (var element in received.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (authorities is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        if (!chain.Build(certificate))
        {
            var statuses = chain.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s);
            var trusted = authorities is null
                ? "a CA in the system store"
                : $"{authoritiesName} ({string.Join(", ", authorities.Select(a => $"'{a.Subject}'"))})";
            if ((statuses & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return $"unknown CA: '{subject}' is issued by '{certificate.Issuer}', not by {trusted}";
            }

            if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return $"expired: a certificate in the chain of '{subject}' is out of its validity period";
            }

            return $"'{subject}': {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct())}";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"wrong host name: it is for {Names(certificate)}, not '{host}'";
        }

        return null;
    }

    /// <summary>The names a certificate is for: its subject alternative names, else its common name.</summary>
    private static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(ip => ip.ToString()));
        }

        if (names.Count == 0)
        {
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }

        return string.Join(", ", names.Select(n => $"'{n}'"));
    }
}
