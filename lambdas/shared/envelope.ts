import type { APIGatewayProxyResult } from 'aws-lambda';
import { API_VERSION } from './version';

/** One envelope for every REST answer, success or failure (CONTRACT.md). */
export interface SuccessEnvelope<T> {
  Success: true;
  Result: T;
  Version: string;
  RequestId: string;
}

export interface ErrorBody {
  Code: string;
  Message: string;
  Details?: string[];
}

export interface FailureEnvelope {
  Success: false;
  Result: null;
  Version: string;
  RequestId: string;
  Error: ErrorBody;
}

export type Envelope<T> = SuccessEnvelope<T> | FailureEnvelope;

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
};

export function successResponse<T>(
  statusCode: number,
  result: T,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const body: SuccessEnvelope<T> = { Success: true, Result: result, Version: API_VERSION, RequestId: requestId };
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function failureEnvelope(requestId: string, error: ErrorBody): FailureEnvelope {
  const cleaned: ErrorBody = { Code: error.Code, Message: error.Message };
  if (error.Details && error.Details.length > 0) cleaned.Details = error.Details;
  return { Success: false, Result: null, Version: API_VERSION, RequestId: requestId, Error: cleaned };
}

export function failureResponse(
  statusCode: number,
  error: ErrorBody,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(failureEnvelope(requestId, error)),
  };
}
