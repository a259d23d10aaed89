// A stand-in for Moddable's ECMA-419 MQTT client (examples/io/tcp/mqttclient/mqttclient.js) with the behaviour
// the transport depends on: write() throws "overflow" when the socket has no room and throws before CONNACK;
// onError() closes the client (the real client calls onError and then close() on itself, never onClose);
// PUBACK and CONNACK arrive through onControl({operation, id}). The test drives the broker side.
import type { MqttClient, MqttClientOptions, MqttWriteOptions } from '../../../../hosts/esp32/mqtt-transport.js';

export interface Written {
  topic: string;
  payload: Uint8Array;
  options: MqttWriteOptions;
}

export class FakeMqttClient implements MqttClient {
  readonly options: MqttClientOptions;
  readonly written: Written[] = [];
  state: 'connecting' | 'connected' | 'closed' = 'connecting';
  /** Bytes the socket can take before write() throws "overflow". */
  room = Number.POSITIVE_INFINITY;

  constructor(options: MqttClientOptions) {
    this.options = options;
  }
  write(data: Uint8Array, options: MqttWriteOptions): number {
    if (this.state !== 'connected') throw new Error('not connected');
    if (data.byteLength > this.room) throw new Error('overflow');
    this.room -= data.byteLength;
    this.written.push({ topic: options.topic, payload: data.slice(), options: { ...options } });
    return 1024;
  }
  /** How often close() was called (the real client closes itself after onError; a second close is not needed). */
  closes = 0;
  close(): void {
    this.closes++;
    this.state = 'closed';
  }
  // broker side
  connack(): void {
    this.state = 'connected';
    this.options.onControl({ operation: 2, id: 0 });
  }
  puback(id: number): void {
    this.options.onControl({ operation: 4, id });
  }
  error(): void {
    this.options.onError();
    this.close();
  }
  drain(room: number): void {
    this.room = room;
    this.options.onWritable(room);
  }
}

export class FakeMqttBroker {
  readonly clients: FakeMqttClient[] = [];
  create = (options: MqttClientOptions) => {
    const client = new FakeMqttClient(options);
    this.clients.push(client);
    return client;
  };
  get last(): FakeMqttClient {
    return this.clients.at(-1)!;
  }
}
