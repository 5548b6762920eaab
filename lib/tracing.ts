import { Stack } from 'aws-cdk-lib';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

/**
 * X-Ray's default rule (priority 10,000): the first request each second, then 5 %. This rule comes before it for
 * this stack's REST stage only. X-Ray names an API Gateway stage's service `<API name>/<stage>`.
 */
export const SAMPLING_RULE_PRIORITY = 1000;
/** AWS::XRay::SamplingRule RuleName: 1 to 32 characters. */
const RULE_NAME_MAX = 32;

export interface TracingProps {
  /** The REST API's name (lib/restApi.ts) and stage: together the X-Ray service the rule matches. */
  readonly restApiName: string;
  readonly stageName: string;
  /** Share of requests traced beyond the reservoir (setting `xraySamplingRate`). */
  readonly fixedRate: number;
  /** Requests per second traced before the rate applies (setting `xraySamplingReservoir`). */
  readonly reservoirSize: number;
}

/**
 * The stack's X-Ray sampling rule. API Gateway decides at the REST stage whether a request is traced and the function
 * behind it follows that decision (tracing: ACTIVE respects an upstream header, lib/remotePopFunction.ts). Lambda
 * decides alone for the functions it starts itself (WebSocket routes, the table's stream, queues, schedules), with
 * X-Ray's default that no rule changes; docs/cost.md prices both.
 */
export class Tracing extends Construct {
  readonly samplingRule: xray.CfnSamplingRule;

  constructor(scope: Construct, id: string, props: TracingProps) {
    super(scope, id);
    const suffix = '-rest';
    const ruleName = `${Stack.of(this).stackName.slice(0, RULE_NAME_MAX - suffix.length)}${suffix}`;
    this.samplingRule = new xray.CfnSamplingRule(this, 'RestSampling', {
      samplingRule: {
        ruleName,
        priority: SAMPLING_RULE_PRIORITY,
        fixedRate: props.fixedRate,
        reservoirSize: props.reservoirSize,
        serviceName: `${props.restApiName}/${props.stageName}`,
        serviceType: 'AWS::ApiGateway::Stage',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
  }
}
