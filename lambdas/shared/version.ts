/** The API version reported in every envelope; bump with the contract. */
export const API_VERSION = '1.0.0';
