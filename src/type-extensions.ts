// Brings hardhat-ethers' `connection.ethers` into the types of every module that imports this file.
import "@nomicfoundation/hardhat-ethers";
