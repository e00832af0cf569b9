// Prints Kafka's own encoding of the metadata quorum's messages that
// test/broker/protocol/quorum-golden.test.ts compares ours with (quorum-apis.txt): Fetch
// v12-18 and FetchSnapshot v0-1 as the quorum sends them, Vote v0-2, LeaderChangeMessage,
// and two record batches of __cluster_metadata (a leader-change control batch and a data
// batch). Regenerate with the Kafka 4.1.1 jars the repo already uses:
//   CP=kafka/libs/kafka-clients-4.1.1.jar:kafka/libs/slf4j-api-1.7.36.jar
//   javac -cp $CP -d /tmp/qgold QuorumGold.java && java -cp /tmp/qgold:$CP QuorumGold > quorum-apis.txt
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.*;
import org.apache.kafka.common.record.*;

public class QuorumGold {
  static final Uuid META = new Uuid(0L, 1L);
  static String hex(ByteBuffer b) { StringBuilder s = new StringBuilder(); while (b.hasRemaining()) s.append(String.format("%02x", b.get())); return s.toString(); }
  static void msg(String name, Message m, int v) { System.out.println(name + " v" + v + " " + hex(MessageUtil.toByteBufferAccessor(m, (short) v).buffer())); }
  static MemoryRecords bytes(String s) { return MemoryRecords.readableRecords(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8))); }

  static void fetch() {
    for (int v = 12; v <= 18; v++) {
      FetchRequestData.FetchPartition p = new FetchRequestData.FetchPartition().setPartition(0).setCurrentLeaderEpoch(4).setFetchOffset(1L << 40)
        .setLastFetchedEpoch(3).setLogStartOffset(5).setPartitionMaxBytes(4096);
      if (v >= 17) p.setReplicaDirectoryId(new Uuid(0x3c3c3c3c3c3c3c3cL, 0x3c3c3c3c3c3c3c3cL));
      FetchRequestData r = new FetchRequestData().setClusterId("abc").setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20)
        .setIsolationLevel((byte) 1).setSessionId(9).setSessionEpoch(3).setRackId("rack-a");
      if (v >= 15) r.setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(2).setReplicaEpoch(77));
      else r.setReplicaId(2);
      FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setPartitions(List.of(p));
      FetchRequestData.ForgottenTopic f = new FetchRequestData.ForgottenTopic().setPartitions(List.of(1, 2));
      if (v >= 13) { t.setTopicId(META); f.setTopicId(META); } else { t.setTopic("__cluster_metadata"); f.setTopic("__cluster_metadata"); }
      r.setTopics(List.of(t)).setForgottenTopicsData(List.of(f));
      msg("FetchRequest", r, v);
      FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData().setPartitionIndex(0).setErrorCode((short) 0).setHighWatermark(10)
        .setLastStableOffset(10).setLogStartOffset(2).setPreferredReadReplica(-1).setRecords(bytes("not really records"))
        .setAbortedTransactions(List.of(new FetchResponseData.AbortedTransaction().setProducerId(5).setFirstOffset(6)));
      pd.divergingEpoch().setEpoch(2).setEndOffset(8);
      pd.currentLeader().setLeaderId(1).setLeaderEpoch(3);
      pd.snapshotId().setEndOffset(2).setEpoch(1);
      FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse().setPartitions(List.of(pd));
      if (v >= 13) tr.setTopicId(META); else tr.setTopic("__cluster_metadata");
      msg("FetchResponse", new FetchResponseData().setThrottleTimeMs(1).setErrorCode((short) 0).setSessionId(0).setResponses(List.of(tr)), v);
    }
  }

  static void fetchSnapshot() {
    for (int v = 0; v <= 1; v++) {
      FetchSnapshotRequestData.PartitionSnapshot p = new FetchSnapshotRequestData.PartitionSnapshot().setPartition(0).setCurrentLeaderEpoch(5).setPosition(7)
        .setSnapshotId(new FetchSnapshotRequestData.SnapshotId().setEndOffset(100).setEpoch(4));
      if (v >= 1) p.setReplicaDirectoryId(new Uuid(0xaaaaaaaaaaaaaaaaL, 0xaaaaaaaaaaaaaaaaL));
      FetchSnapshotRequestData r = new FetchSnapshotRequestData().setClusterId("c1").setReplicaId(2).setMaxBytes(4096)
        .setTopics(List.of(new FetchSnapshotRequestData.TopicSnapshot().setName("__cluster_metadata").setPartitions(List.of(p))));
      msg("FetchSnapshotRequest", r, v);
      FetchSnapshotResponseData.PartitionSnapshot rp = new FetchSnapshotResponseData.PartitionSnapshot().setIndex(0).setErrorCode((short) 0)
        .setSize(1L << 33).setPosition(7).setUnalignedRecords(bytes("chunk"))
        .setSnapshotId(new FetchSnapshotResponseData.SnapshotId().setEndOffset(100).setEpoch(4));
      rp.currentLeader().setLeaderId(1).setLeaderEpoch(5);
      msg("FetchSnapshotResponse", new FetchSnapshotResponseData().setThrottleTimeMs(0).setErrorCode((short) 0)
        .setTopics(List.of(new FetchSnapshotResponseData.TopicSnapshot().setName("__cluster_metadata").setPartitions(List.of(rp)))), v);
    }
  }

  static void vote() {
    for (int v = 0; v <= 2; v++) {
      VoteRequestData.PartitionData p = new VoteRequestData.PartitionData().setPartitionIndex(0).setReplicaEpoch(5).setReplicaId(2)
        .setLastOffsetEpoch(4).setLastOffset(99);
      if (v >= 2) p.setPreVote(true);
      VoteRequestData r = new VoteRequestData().setClusterId("cluster-a")
        .setTopics(List.of(new VoteRequestData.TopicData().setTopicName("__cluster_metadata").setPartitions(List.of(p))));
      if (v >= 1) r.setVoterId(1);
      msg("VoteRequest", r, v);
    }
  }

  public static void main(String[] a) {
    fetch();
    fetchSnapshot();
    vote();
    LeaderChangeMessage lc = new LeaderChangeMessage().setVersion((short) 0).setLeaderId(1)
      .setVoters(List.of(new LeaderChangeMessage.Voter().setVoterId(1), new LeaderChangeMessage.Voter().setVoterId(2), new LeaderChangeMessage.Voter().setVoterId(3))).setGrantingVoters(List.of());
    msg("LeaderChangeMessage", lc, 0);
    MemoryRecords control = MemoryRecords.withLeaderChangeMessage(10, 1_700_000_000_000L, 7, ByteBuffer.allocate(256), lc);
    System.out.println("batch leaderChange " + hex(control.buffer()));
    MemoryRecords data = MemoryRecords.withRecords(11, Compression.NONE, 7,
      new SimpleRecord(1_700_000_000_000L, null, "a".getBytes(StandardCharsets.UTF_8)), new SimpleRecord(1_700_000_000_001L, null, "bb".getBytes(StandardCharsets.UTF_8)));
    System.out.println("batch data " + hex(data.buffer()));
  }
}
