namespace PubSubDemo.FaultTests;

/// <summary>
/// Every fault test starts and kills its own servers and service processes; they are CPU-heavy on a
/// two-core machine, so the collection runs alone and its tests one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}
