// Prints Kafka's own encoding of the cluster API messages and metadata records that
// test/broker/protocol/kafka-golden.test.ts compares ours with (cluster-apis.txt). Regenerate:
//   mvn -q dependency:get -Dartifact=org.apache.kafka:kafka-metadata:3.9.0   (pulls clients, server-common)
//   R=~/.m2/repository/org/apache/kafka; CP=$R/kafka-clients/3.9.0/kafka-clients-3.9.0.jar:$R/kafka-metadata/3.9.0/kafka-metadata-3.9.0.jar:$R/kafka-server-common/3.9.0/kafka-server-common-3.9.0.jar:<slf4j-api jar>
//   javac -cp $CP -d /tmp/gold Gold.java && java -cp /tmp/gold:$CP Gold > cluster-apis.txt
import java.nio.ByteBuffer;
import java.util.*;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.metadata.*;
import org.apache.kafka.common.protocol.*;
import org.apache.kafka.metadata.MetadataRecordSerde;
import org.apache.kafka.server.common.ApiMessageAndVersion;

public class Gold {
  static final Uuid INC = Uuid.fromString("Zr8iGGyQTS6r0n2qM-rfKA");
  static final Uuid TID = Uuid.fromString("hCw3kzc0RpKwTd2rGHqjVQ");
  static String hex(ByteBuffer b) { StringBuilder s = new StringBuilder(); while (b.hasRemaining()) s.append(String.format("%02x", b.get())); return s.toString(); }
  static void msg(String name, Message m, int v) { System.out.println(name + " v" + v + " " + hex(MessageUtil.toByteBuffer(m, (short) v))); }
  static void rec(String name, ApiMessage m, int v) {
    MetadataRecordSerde serde = MetadataRecordSerde.INSTANCE;
    ObjectSerializationCache cache = new ObjectSerializationCache();
    ApiMessageAndVersion amv = new ApiMessageAndVersion(m, (short) v);
    int size = serde.recordSize(amv, cache);
    ByteBuffer buf = ByteBuffer.allocate(size);
    serde.write(amv, cache, new ByteBufferAccessor(buf));
    buf.flip();
    System.out.println("record " + name + " " + hex(buf));
  }
  public static void main(String[] a) {
    for (int v = 0; v <= 4; v++) {
      BrokerRegistrationRequestData r = new BrokerRegistrationRequestData().setBrokerId(3).setClusterId("Qx3bYzLJQvWw3b0pYgJqIg").setIncarnationId(INC).setRack("r1");
      r.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT").setHost("127.0.0.1").setPort(9092).setSecurityProtocol((short) 0));
      r.features().add(new BrokerRegistrationRequestData.Feature().setName("metadata.version").setMinSupportedVersion((short) 1).setMaxSupportedVersion((short) 21));
      if (v >= 2) r.setLogDirs(List.of(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg")));
      if (v >= 3) r.setPreviousBrokerEpoch(41);
      msg("BrokerRegistrationRequest", r, v);
      msg("BrokerRegistrationResponse", new BrokerRegistrationResponseData().setThrottleTimeMs(1).setErrorCode((short) 101).setBrokerEpoch(77), v);
    }
    for (int v = 0; v <= 1; v++) {
      BrokerHeartbeatRequestData h = new BrokerHeartbeatRequestData().setBrokerId(2).setBrokerEpoch(9).setCurrentMetadataOffset(1234).setWantFence(false).setWantShutDown(true);
      if (v >= 1) h.setOfflineLogDirs(List.of(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw")));
      msg("BrokerHeartbeatRequest", h, v);
      msg("BrokerHeartbeatResponse", new BrokerHeartbeatResponseData().setThrottleTimeMs(0).setErrorCode((short) 77).setIsCaughtUp(true).setIsFenced(false).setShouldShutDown(true), v);
      DescribeClusterResponseData d = new DescribeClusterResponseData().setClusterId("Qx3bYzLJQvWw3b0pYgJqIg").setControllerId(2).setEndpointType((byte) (v >= 1 ? 2 : 1));
      d.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(1).setHost("127.0.0.1").setPort(9092).setRack(null));
      d.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(2).setHost("b").setPort(9093).setRack("r"));
      msg("DescribeClusterResponse", d, v);
      msg("DescribeClusterRequest", new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true).setEndpointType((byte) (v >= 1 ? 2 : 1)), v);
    }
    for (int v = 0; v <= 2; v++) {
      ElectLeadersRequestData e = new ElectLeadersRequestData().setElectionType((byte) (v >= 1 ? 1 : 0)).setTimeoutMs(60000);
      ElectLeadersRequestData.TopicPartitionsCollection tps = new ElectLeadersRequestData.TopicPartitionsCollection();
      tps.add(new ElectLeadersRequestData.TopicPartitions().setTopic("orders").setPartitions(List.of(0, 2)));
      e.setTopicPartitions(tps);
      msg("ElectLeadersRequest", e, v);
      ElectLeadersResponseData er = new ElectLeadersResponseData().setThrottleTimeMs(3).setErrorCode((short) (v >= 1 ? 41 : 0));
      er.replicaElectionResults().add(new ElectLeadersResponseData.ReplicaElectionResult().setTopic("orders").setPartitionResult(List.of(
        new ElectLeadersResponseData.PartitionResult().setPartitionId(0).setErrorCode((short) 0).setErrorMessage(null),
        new ElectLeadersResponseData.PartitionResult().setPartitionId(2).setErrorCode((short) 84).setErrorMessage("not needed"))));
      msg("ElectLeadersResponse", er, v);
    }
    for (int v = 0; v <= 3; v++) {
      AlterPartitionRequestData.PartitionData p = new AlterPartitionRequestData.PartitionData().setPartitionIndex(3).setLeaderEpoch(4).setPartitionEpoch(9).setLeaderRecoveryState((byte) (v >= 1 ? 1 : 0));
      if (v >= 3) p.setNewIsrWithEpochs(List.of(new AlterPartitionRequestData.BrokerState().setBrokerId(1).setBrokerEpoch(12), new AlterPartitionRequestData.BrokerState().setBrokerId(2).setBrokerEpoch(15)));
      else p.setNewIsr(List.of(1, 2));
      AlterPartitionRequestData ap = new AlterPartitionRequestData().setBrokerId(1).setBrokerEpoch(12);
      ap.topics().add(new AlterPartitionRequestData.TopicData().setTopicName(v >= 2 ? "" : "orders").setTopicId(v >= 2 ? TID : Uuid.ZERO_UUID).setPartitions(List.of(p)));
      msg("AlterPartitionRequest", ap, v);
      AlterPartitionResponseData rp = new AlterPartitionResponseData();
      rp.topics().add(new AlterPartitionResponseData.TopicData().setTopicName(v >= 2 ? "" : "orders").setTopicId(v >= 2 ? TID : Uuid.ZERO_UUID).setPartitions(List.of(
        new AlterPartitionResponseData.PartitionData().setPartitionIndex(3).setLeaderId(1).setLeaderEpoch(4).setIsr(List.of(1, 2)).setLeaderRecoveryState((byte) (v >= 1 ? 1 : 0)).setPartitionEpoch(10))));
      msg("AlterPartitionResponse", rp, v);
    }
    RegisterBrokerRecord rb = new RegisterBrokerRecord().setBrokerId(2).setIncarnationId(INC).setBrokerEpoch(7).setRack("r1").setFenced(true).setInControlledShutdown(false);
    rb.endPoints().add(new RegisterBrokerRecord.BrokerEndpoint().setName("PLAINTEXT").setHost("127.0.0.1").setPort(65535).setSecurityProtocol((short) 0));
    rec("registerBroker", rb, 1);
    rec("fenceBroker", new FenceBrokerRecord().setId(2).setEpoch(7), 0);
    rec("unfenceBroker", new UnfenceBrokerRecord().setId(2).setEpoch(7), 0);
    rec("brokerRegistrationChange", new BrokerRegistrationChangeRecord().setBrokerId(2).setBrokerEpoch(7).setInControlledShutdown((byte) 1), 1);
    rec("topic", new TopicRecord().setName("orders").setTopicId(TID), 0);
    rec("removeTopic", new RemoveTopicRecord().setTopicId(TID), 0);
    rec("config", new ConfigRecord().setResourceType((byte) 2).setResourceName("orders").setName("retention.ms").setValue("1000"), 0);
    rec("configNull", new ConfigRecord().setResourceType((byte) 2).setResourceName("orders").setName("retention.ms").setValue(null), 0);
    rec("featureLevel", new FeatureLevelRecord().setName("metadata.version").setFeatureLevel((short) 21), 0);
    rec("partition", new PartitionRecord().setPartitionId(0).setTopicId(TID).setReplicas(List.of(2, 3, 1)).setIsr(List.of(2, 3)).setLeader(2).setLeaderRecoveryState((byte) 1).setLeaderEpoch(4).setPartitionEpoch(9), 0);
    rec("partitionChange", new PartitionChangeRecord().setPartitionId(0).setTopicId(TID).setIsr(List.of(3)).setLeader(-1).setReplicas(List.of(3, 2)).setLeaderRecoveryState((byte) 1), 0);
    rec("partitionChangeLeader", new PartitionChangeRecord().setPartitionId(5).setTopicId(TID).setLeader(3), 0);
  }
}
