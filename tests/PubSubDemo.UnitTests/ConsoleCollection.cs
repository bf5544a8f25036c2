namespace PubSubDemo.UnitTests;

/// <summary>Tests that swap process-wide state (Console.Error, the local time zone) run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
