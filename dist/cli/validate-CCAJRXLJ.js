import{a}from"./chunk-3GA42KVF.js";import"./chunk-4YMRCFUU.js";import"./chunk-J3CPVPAR.js";import"./chunk-JJE4IVQQ.js";import"./chunk-W2BOAQKP.js";export{a as validateConfig};
